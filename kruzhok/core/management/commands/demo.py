"""``manage.py demo``: the demo town (default) or bulk data for benchmarks (``--children N``)."""

from __future__ import annotations

import datetime as dt
import json
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kruzhok.demo.scale import scale_build, scale_exists
from kruzhok.demo.town import DEFAULT_SEED, demo_town_build, demo_town_exists
from kruzhok.demo.wipe import registry_data_wipe


class Command(BaseCommand):
    help = ("Build the demo region (a town modelled on a real municipal report, a small neighbour and one "
            "login per role), or with --children N bulk data for benchmarks. Deterministic from --seed.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="reference date YYYY-MM-DD (default: today); ages and dates are relative to it")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the demo already exists")
        parser.add_argument("--replace", action="store_true",
                            help="wipe all registry data and the demo accounts first, then build")
        parser.add_argument("--children", type=int, default=None, help="scale mode: number of children")
        parser.add_argument("--municipalities", type=int, default=10, help="scale mode: number of municipalities")
        parser.add_argument("--no-progress", action="store_true", help="scale mode: no progress bar")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        exists = scale_exists(seed=options["seed"]) if options["children"] else demo_town_exists()
        if exists and options["if_empty"]:
            self.stdout.write("Demo data already present: nothing to do.")
            return
        if exists and not options["replace"]:
            raise CommandError("Demo data already present; pass --replace to wipe and rebuild it "
                               "(or --if-empty to keep it).")
        if options["replace"]:
            registry_data_wipe()
        if options["children"] is not None:
            if options["children"] < 1 or options["municipalities"] < 1:
                raise CommandError("--children and --municipalities must be positive.")
            figures = scale_build(children=options["children"], municipalities=options["municipalities"],
                                  seed=options["seed"], today=options["today"], progress=not options["no_progress"])
        else:
            figures = demo_town_build(seed=options["seed"], today=options["today"])
        figures["seconds"] = round(time.perf_counter() - started, 1)
        self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2, default=str))
        self.stdout.write(self.style.SUCCESS("Demo data built. `manage.py logins` lists the accounts."))
