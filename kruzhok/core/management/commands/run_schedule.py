"""``manage.py run_schedule [--loop]``: start the periodic jobs due in the current period (see core.schedule)."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandParser

from kruzhok.core.schedule import schedule_tick, schedules


class Command(BaseCommand):
    help = ("Start the periodic jobs (weekly, monthly, quarterly reports; aggregates refresh) whose current period "
            "has not run yet; each period runs once. With --loop, tick every --every seconds until stopped.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep ticking (run as a service beside the worker)")
        parser.add_argument("--every", type=int, default=30, help="seconds between ticks with --loop")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="tick as of this day YYYY-MM-DD (default: the local date)")

    def handle(self, *args, **options) -> None:
        while True:
            jobs = schedule_tick(today=options["today"])
            if options["verbosity"] > 0:
                names = ", ".join(f"{job.params.get('schedule')} → job {job.pk}" for job in jobs) or "nothing due"
                self.stdout.write(f"{len(schedules())} schedule(s): {names}")
            if not options["loop"]:
                return
            time.sleep(options["every"])
