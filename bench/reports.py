"""Report generation benchmark: the municipal report in DOCX + PDF + XLSX, and the regional monitoring table.

    PG_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/reports.py [--quick]

* ``municipal_s`` — the demo municipality's report of the support centre (seed 002) for 1 January – 15 October
  2025: the document built from the selectors, its charts drawn, then rendered to DOCX, PDF and XLSX (what the
  background job does, without storing the files). The demo town lives in a database of its own,
  ``bench_reports`` on the server of ``PG_URL`` (created, migrated and filled once with ``demo --today
  2025-10-15``, then kept). One warm-up run, then the median of ``--runs`` runs (default 3). Goal ≤ 5 s.
* ``regional_s`` — the regional table (one row per municipality, the target-model indicators, totals) of the
  2.5-million-children scale database ``bench_scale`` (built once by ``bench/scale.py``; read only here) as the
  quarterly schedule makes it: for the last full quarter before the day of its latest coverage aggregates (today
  when there are none), «as of» figures on the quarter's last day, in all three formats. Coverage is read from the
  monitoring aggregates when ``bench/coverage.py`` made them (live otherwise). One timed run (the median of
  ``--runs`` with ``--quick``). Goal ≤ 60 s. With ``--quick`` the demo region stands in for the scale data.

Each part runs in its own process (one Django database per process). Progress goes to stderr; stdout gets one
JSON line: ``municipal_s``, ``regional_s``, each stage's seconds (``cpu_s``: this process's CPU time, which the other
loads of a shared machine do not inflate as much as the wall time), the load average at the end, and what they were
measured on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
DEMO_DB, SCALE_DB = "bench_reports", "bench_scale"
DEMO_TODAY = dt.date(2025, 10, 15)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def database_exists(base: str, name: str, *, create: bool = False) -> bool:
    import psycopg

    with psycopg.connect(urlunsplit(urlsplit(base)._replace(scheme="postgresql", path="/postgres")),
                         autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return True
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")
            return True
    return False


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def generate(template: str, territory, start: dt.date, end: dt.date) -> dict:
    """Build and render one report as the background job does; seconds per stage."""
    from django.utils import translation

    from kruzhok.reports.document import Chart
    from kruzhok.reports.registry import BuildContext, template_get
    from kruzhok.reports.services import RENDERERS

    times = {}
    started, cpu = time.perf_counter(), time.process_time()
    with translation.override("ru"):
        document = template_get(template).build(BuildContext(territory=territory, start=start, end=end, texts={},
                                                             language="ru"))
        times["build_s"] = time.perf_counter() - started
        mark = time.perf_counter()
        for section in document.sections:
            for block in section.blocks:
                if isinstance(block, Chart):
                    block.png()
        times["charts_s"] = time.perf_counter() - mark
        for fmt, render in RENDERERS.items():
            mark = time.perf_counter()
            render(document)
            times[f"{fmt}_s"] = time.perf_counter() - mark
    times["total_s"] = time.perf_counter() - started
    times["cpu_s"] = time.process_time() - cpu  # this process only: the database server's work is not in it
    return times


def timed(label: str, runs: int, warmup: bool, fn) -> dict:
    if warmup:
        log(f"{label}: warm-up run")
        fn()
    results = []
    for run in range(runs):
        result = fn()
        log(f"{label}: run {run + 1}/{runs}: " + ", ".join(f"{k} {v:.2f}" for k, v in result.items()))
        results.append(result)
    return {key: round(statistics.median(r[key] for r in results), 2) for key in results[0]}


def part_municipal(runs: int) -> dict:
    from django.core.management import call_command

    from kruzhok.demo.spec import MAIN
    from kruzhok.demo.town import demo_town_build, demo_town_exists
    from kruzhok.territory.models import Municipality

    call_command("migrate", verbosity=0, interactive=False)
    if not demo_town_exists():
        log("building the demo town (once; kept for later runs)")
        demo_town_build(today=DEMO_TODAY)
    municipality = Municipality.objects.get(code=MAIN.code)
    start = dt.date(DEMO_TODAY.year, 1, 1)
    figures = timed("municipal", runs, True, lambda: generate("municipal", municipality, start, DEMO_TODAY))
    return {"municipal_s": figures["total_s"], "municipal_stages": figures}


def analyze_missing_statistics() -> list[str]:
    """ANALYZE the tables that hold rows but have no planner statistics (what autovacuum would have done; it is off
    on the bench server, and the scale generator leaves the catalog tables unanalyzed). Without them PostgreSQL
    expects one row of a region's municipalities and organizations and looks up every group's enrollments one by
    one (a 35 s plan instead of 3 s). Statistics only: no row changes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                          WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.reltuples > 0
                            AND NOT EXISTS (SELECT 1 FROM pg_statistic s WHERE s.starelid = c.oid)
                            AND (c.relname LIKE 'catalog\\_%' OR c.relname LIKE 'territory\\_%'
                                 OR c.relname LIKE 'enrollment\\_%' OR c.relname LIKE 'people\\_%'
                                 OR c.relname LIKE 'monitoring\\_%')
                          ORDER BY 1""")
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')
    return tables


def part_regional(runs: int, quick: bool) -> dict:
    from kruzhok.demo.spec import REGION
    from kruzhok.enrollment.models import Enrollment
    from kruzhok.people.models import Child
    from kruzhok.territory.models import Municipality, Region

    if quick:
        region, end = Region.objects.get(code=REGION["code"]), DEMO_TODAY
    else:
        from django.utils import timezone

        from kruzhok.monitoring.models import CoverageSnapshot

        region = Region.objects.order_by("pk").first()
        from kruzhok.core.schedule import period_containing, period_previous

        snapshot = CoverageSnapshot.objects.order_by("-on").values_list("on", flat=True).first()
        day = snapshot or timezone.localdate()  # the generator's "today" is the day it ran
        quarter = period_previous(period_containing(day, "quarterly"), "quarterly")
        start, end = quarter.start, quarter.end
    if quick:
        start = dt.date(end.year, 1, 1)
    if not quick:
        analyzed = analyze_missing_statistics()
        if analyzed:
            log(f"analyzed (no planner statistics yet): {', '.join(analyzed)}")
    municipalities = Municipality.objects.filter(region=region).count()
    log(f"regional: {region} ({municipalities} municipalities), {start}–{end}")
    figures = timed("regional", runs, quick, lambda: generate("regional", region, start, end))
    return {"regional_s": figures["total_s"], "regional_stages": figures, "regional_municipalities": municipalities,
            "regional_period": f"{start}..{end}",
            "regional_children": Child.objects.count(), "regional_enrollments": Enrollment.objects.count()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the demo region instead of the 2.5 M scale data")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of the municipal report (median)")
    parser.add_argument("--part", choices=["municipal", "regional"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    base = os.environ.get("PG_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not base.startswith(("postgres://", "postgresql://")):
        log("bench/reports.py needs PostgreSQL: set PG_URL=postgres://…")
        return 2

    if args.part == "municipal":
        django_setup(database_url(base, DEMO_DB))
        print(json.dumps(part_municipal(args.runs)))
        return 0
    if args.part == "regional":
        django_setup(database_url(base, DEMO_DB if args.quick else SCALE_DB))
        print(json.dumps(part_regional(args.runs if args.quick else 1, args.quick)))
        return 0

    database_exists(base, DEMO_DB, create=True)
    if not args.quick and not database_exists(base, SCALE_DB):
        log(f"{SCALE_DB} is missing: build it once with bench/scale.py --children 2500000 --municipalities 60")
        return 2
    result: dict = {"quick": args.quick}
    for part in ("municipal", "regional"):
        command = [sys.executable, __file__, "--part", part, "--runs", str(args.runs)] + (
            ["--quick"] if args.quick else [])
        done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PG_URL": base})
        result.update(json.loads(done.stdout.strip().splitlines()[-1]))
    result["goals"] = {"municipal_s": 5, "regional_s": 60}
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]  # the machine is shared: wall times depend on it
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
