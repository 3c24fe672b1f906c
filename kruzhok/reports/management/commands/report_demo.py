"""``manage.py report_demo``: the demo municipality's report in DOCX, PDF and XLSX, written to a folder."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from kruzhok.reports.registry import TEMPLATES, BuildContext
from kruzhok.reports.services import RENDERERS


class Command(BaseCommand):
    help = ("Write the demo municipality's report (the municipal support centre's report, from 1 January to today) "
            "in DOCX, PDF and XLSX to var/reports/ (or --out). Needs the demo data (`make demo`).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "var" / "reports"))
        parser.add_argument("--template", default="municipal", choices=sorted(TEMPLATES))
        parser.add_argument("--language", default="ru", choices=[code for code, _name in settings.LANGUAGES])
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="period end (default: today)")

    def handle(self, *args, **options) -> None:
        from kruzhok.catalog.models import Organization
        from kruzhok.demo.spec import MAIN
        from kruzhok.territory.models import Municipality

        spec = TEMPLATES[options["template"]]
        municipality = Municipality.objects.filter(code=MAIN.code).select_related("region").first()
        if municipality is None:
            raise CommandError("No demo municipality: run `make demo` (manage.py demo) first.")
        territory = {"municipality": municipality, "region": municipality.region,
                     "organization": Organization.objects.filter(municipality=municipality).order_by("pk").first()
                     }[spec.level]
        end = options["today"] or timezone.localdate()
        start = dt.date(end.year, 1, 1)
        with translation.override(options["language"]):
            document = spec.build(BuildContext(territory=territory, start=start, end=end, texts={},
                                               language=options["language"]))
            out = Path(options["out"])
            out.mkdir(parents=True, exist_ok=True)
            stem = f"{spec.code}_{municipality.code}_{start:%Y%m%d}-{end:%Y%m%d}_{options['language']}"
            for fmt, render in RENDERERS.items():
                path = out / f"{stem}.{fmt}"
                path.write_bytes(render(document))
                extra = ""
                if fmt == "pdf":
                    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
                    pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
                    extra = f", {pages} pages"
                self.stdout.write(f"{path} ({path.stat().st_size:,} bytes{extra})")
