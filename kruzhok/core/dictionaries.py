"""Loading dictionaries shipped as JSON data (directions per country, reject reasons)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

APPS_DIR = Path(__file__).resolve().parent.parent


def read_data(app: str, filename: str) -> Any:
    return json.loads((APPS_DIR / app / "data" / filename).read_text(encoding="utf-8"))


def sync_directions(direction_model: Any) -> int:
    """Create or update the directions of every country from ``catalog/data/directions.json``."""
    count = 0
    for country, rows in read_data("catalog", "directions.json").items():
        for order, row in enumerate(rows, start=1):
            direction_model.objects.update_or_create(
                country=country, code=row["code"],
                defaults={"name": row["name"], "name_kk": row.get("name_kk", ""), "name_en": row.get("name_en", ""),
                          "order": order, "is_profile": row.get("is_profile", False)},
            )
            count += 1
    return count


def sync_reject_reasons(reason_model: Any) -> int:
    rows = read_data("enrollment", "reject_reasons.json")
    for row in rows:
        reason_model.objects.update_or_create(
            code=row["code"], defaults={k: row.get(k, "") for k in ("name", "name_kk", "name_en")}
        )
    return len(rows)
