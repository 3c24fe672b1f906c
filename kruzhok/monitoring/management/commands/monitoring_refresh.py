"""Refresh the monitoring aggregates: ``manage.py monitoring_refresh [--on DATE] [--years N] [--changed]
[--loop SECONDS]``. With ``--changed --loop 30`` it runs beside the worker and keeps today's cells within about
a minute of any change (only the municipalities whose children or enrollments changed are recomputed)."""

from __future__ import annotations

import datetime as dt
import json
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from kruzhok.monitoring.aggregates import aggregates_refresh, aggregates_refresh_changed
from kruzhok.monitoring.selectors import years_before


class Command(BaseCommand):
    help = "Refresh the precomputed coverage cells (all, or only the changed municipalities; once or in a loop)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--on", type=dt.date.fromisoformat, help="reference date (default: today)")
        parser.add_argument("--years", type=int, default=0, help="also the same day of N previous years")
        parser.add_argument("--changed", action="store_true", help="only municipalities changed since the last run")
        parser.add_argument("--loop", type=float, help="repeat every SECONDS until stopped")

    def handle(self, *args, on=None, years=0, changed=False, loop=None, **options) -> None:
        while True:
            day = on or timezone.localdate()
            if changed:
                results = [aggregates_refresh_changed(on=day)]
            else:
                results = [aggregates_refresh(on=years_before(day, back)) for back in range(years, -1, -1)]
            self.stdout.write(json.dumps(results, ensure_ascii=False))
            if not loop:
                return
            time.sleep(loop)
