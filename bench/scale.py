"""Scale benchmark: generate 1 million children (50 000 with --quick) with their guardians, applications and
enrollments on PostgreSQL, and print one JSON line with the figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/scale.py [--quick]

It migrates the database, wipes the registry tables (TRUNCATE; dictionaries and other users stay), runs the
generator of ``manage.py demo --children N`` and reports rows written per second. The progress bar goes to
stderr; stdout carries only the JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL = {"children": 1_000_000, "municipalities": 40}
QUICK = {"children": 50_000, "municipalities": 5}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 000 children instead of 1 000 000")
    parser.add_argument("--children", type=int, help="override the number of children")
    parser.add_argument("--municipalities", type=int, help="override the number of municipalities")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()
    size = dict(QUICK if args.quick else FULL)
    size["children"] = args.children or size["children"]
    size["municipalities"] = args.municipalities or size["municipalities"]

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kruzhok.demo.scale import scale_build
    from kruzhok.demo.wipe import registry_data_wipe

    if connection.vendor != "postgresql":
        print("bench/scale.py needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    setup_started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    registry_data_wipe()
    setup_s = time.perf_counter() - setup_started

    started = time.perf_counter()
    figures = scale_build(children=size["children"], municipalities=size["municipalities"], seed=args.seed,
                          progress=not args.no_progress)
    wall = time.perf_counter() - started
    rows = figures["rows_total"]
    print(json.dumps({
        "benchmark": "scale",
        "quick": args.quick,
        "database": f"postgresql {connection.pg_version // 10000}",
        "children": figures["children"],
        "municipalities": figures["municipalities"],
        "rows": rows,
        "tables": figures["rows"],
        "wall_s": round(wall, 2),
        "rows_per_s": round(rows / wall),
        "children_per_s": round(figures["children"] / wall),
        "triggers_disabled": figures["triggers_disabled"],
        "setup_s": round(setup_s, 2),
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
