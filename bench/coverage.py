"""Coverage benchmark: the full breakdown (municipality × direction × organization type × age band, unique
children) live, from the precomputed aggregates and in DuckDB over a Parquet export of the same rows; the
aggregates refresh; the monitoring dashboard page. Prints one JSON line.

    PG_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/coverage.py [--quick]

The data lives in ``bench_scale`` (``--quick``: ``bench_scale_quick``) on the server of ``DATABASE_URL`` /
``PG_URL``: 2 500 000 children, ~5 000 000 enrollments, 100 000 groups in 60 municipalities (quick: 50 000
children in 5), generated once by ``kruzhok.demo.scale`` (the generator of ``manage.py demo --children N``)
when the database is empty, and kept (other benchmarks read it too; nothing here changes registry rows except
one ``updated_at`` touched to time the refresh after a change). The Parquet export is kept in
``var/bench_coverage/<database>/``.

Figures: ``live_s`` / ``aggregates_s`` / ``duckdb_s`` — median wall time of ``selectors.coverage_cube`` live (on
PostgreSQL for the whole installation: its columns read on three connections, counted in numpy — see
``kruzhok.monitoring.columnar``), from aggregates, and of the same query in DuckDB (2 threads, reading the Parquet
files); live and DuckDB run in turns (``--runs``, 5), first, on a quiet database; ``refresh_s`` — the
full refresh of today's cells; ``refresh_changed_s`` — the refresh after one enrollment changed (finding the
changed municipalities and recomputing them); ``dashboard_p95_ms`` — ``GET /monitoring/`` through
``django.test.Client`` as a superuser, from aggregates, over a mix of region / municipality / filtered views.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
FULL = {"children": 2_500_000, "municipalities": 60, "database": "bench_scale"}
QUICK = {"children": 50_000, "municipalities": 5, "database": "bench_scale_quick"}
SEED = 2024
BANDS = ((5, 10), (10, 15), (15, 18))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def database_ensure(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(urlunsplit(urlsplit(base)._replace(scheme="postgresql")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 000 children in bench_scale_quick")
    parser.add_argument("--database", help="database to use (default bench_scale, --quick bench_scale_quick)")
    parser.add_argument("--requests", type=int, default=200, help="timed dashboard requests")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of the live and DuckDB breakdowns")
    parser.add_argument("--dashboard-only", action="store_true",
                        help="time only the dashboard (the aggregates of the date must exist)")
    parser.add_argument("--on", type=dt.date.fromisoformat,
                        help="reference date (default: today in TIME_ZONE; with --dashboard-only, a date whose "
                             "aggregates an earlier run computed)")
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    base = os.environ.get("PG_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not base.startswith(("postgres://", "postgresql://")):
        log("bench/coverage.py needs PostgreSQL: set PG_URL=postgres://…")
        return 2
    database = args.database or size["database"]
    database_ensure(base, database)
    os.environ["DATABASE_URL"] = database_url(base, database)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("KRUZHOK_TASKS", "immediate")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from kruzhok.enrollment.models import Enrollment
    from kruzhok.monitoring import selectors as sel
    from kruzhok.monitoring.aggregates import aggregates_refresh, aggregates_refresh_changed, aggregates_status
    from kruzhok.people.models import Child

    call_command("migrate", verbosity=0, interactive=False)
    if not Child.objects.exists():
        from kruzhok.demo.scale import scale_build

        log(f"generating {size['children']} children in {database} (once; kept for later runs)")
        scale_build(children=size["children"], municipalities=size["municipalities"], seed=SEED, progress=True)
    children = Child.objects.count()
    enrollments = Enrollment.objects.count()
    on = args.on or timezone.localdate()
    log(f"{children} children, {enrollments} enrollments; reference date {on}")
    if args.dashboard_only:
        print(json.dumps({"benchmark": "coverage-dashboard", "children": children, "enrollments": enrollments,
                          **dashboard_figures(on, max(20, args.requests))}))
        return 0

    # 1. The full breakdown live and by DuckDB over the Parquet export of the same rows, in turns (each pair of
    # runs meets the same machine), before the refreshes below set the autovacuum going.
    f = sel.MonitoringFilter(on=on)
    cube = sel.coverage_cube
    folder = ROOT / "var" / "bench_coverage" / database
    parquet_export(connection, folder, enrollments)
    live_times, duckdb_times = [], []
    for _ in range(args.runs):
        seconds, live = timed(lambda: cube(f=f, bands=BANDS, source=sel.LIVE), 1)
        live_times.append(seconds)
        seconds, duck_rows = timed(lambda: duckdb_breakdown(folder, on), 1)
        duckdb_times.append(seconds)
    live_s, duckdb_s = statistics.median(live_times), statistics.median(duckdb_times)

    def key(rows):
        return sorted((r.municipality_id, r.direction_id, r.org_type, r.band, r.children, r.enrollments) for r in rows)

    duckdb_equal = sorted(duck_rows) == key(live.rows)
    log(f"live {live_s:.2f} s ({', '.join(f'{t:.2f}' for t in live_times)}), {len(live.rows)} rows; "
        f"duckdb {duckdb_s:.2f} s ({', '.join(f'{t:.2f}' for t in duckdb_times)}); live = duckdb: {duckdb_equal}")

    # 2. Aggregates: a full refresh of today's cells (timed), the previous years' for the dashboard's trend.
    # Rows written less than CHANGE_MARGIN before a refresh count as changed after it (they may have committed
    # later): right after the generator, every municipality would count as changed and the "refresh after a
    # change" would time a full refresh. Wait that margin out first (at most a minute, only after generating).
    from django.db.models import Max

    from kruzhok.monitoring.aggregates import CHANGE_MARGIN

    newest = max(filter(None, (Enrollment.objects.aggregate(at=Max("updated_at"))["at"],
                               Child.objects.aggregate(at=Max("updated_at"))["at"])), default=None)
    if newest is not None and (wait := (newest + CHANGE_MARGIN - timezone.now()).total_seconds() + 1) > 0:
        if newest > timezone.now():
            log(f"WARNING: rows stamped in the future ({newest}): every municipality will count as changed")
        wait = min(wait, CHANGE_MARGIN.total_seconds() + 1)
        log(f"waiting {wait:.0f} s: the generated rows are still within the change margin")
        time.sleep(wait)
    refresh_s, refreshed = timed(lambda: aggregates_refresh(on=on), 1)
    log(f"full refresh {refresh_s:.1f} s, {refreshed['cells']} cells")
    for back in (1, 2):
        if aggregates_status(on=sel.years_before(on, back)) is None:
            aggregates_refresh(on=sel.years_before(on, back))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE monitoring_coverageaggregate")
    touched = Enrollment.objects.order_by("id").values_list("id", flat=True).first()
    Enrollment.objects.filter(pk=touched).update(updated_at=timezone.now())
    refresh_changed_s, changed = timed(lambda: aggregates_refresh_changed(on=on), 1)
    log(f"refresh after a change {refresh_changed_s:.2f} s ({changed['municipalities']} municipalities)")

    # 3. The full breakdown from the aggregates (live and DuckDB were timed first, before the refreshes).
    aggregates_s, agg = timed(lambda: cube(f=f, bands=BANDS, source=sel.AGGREGATES), 20)
    log(f"aggregates {aggregates_s * 1000:.1f} ms")
    equal = key(live.rows) == key(agg.rows)
    log(f"live = aggregates: {equal}")

    # 4. The dashboard page from aggregates.
    dashboard = dashboard_figures(on, max(20, args.requests))
    print(json.dumps({
        "benchmark": "coverage",
        "quick": args.quick,
        "database": f"postgresql {connection.pg_version // 10000} ({database})",
        "children": children,
        "enrollments": enrollments,
        "breakdown_rows": len(live.rows),
        "live_s": round(live_s, 3),
        "aggregates_s": round(aggregates_s, 4),
        "duckdb_s": round(duckdb_s, 3),
        "ratio_to_duckdb": round(live_s / duckdb_s, 2),
        "live_runs_s": [round(t, 3) for t in live_times],
        "duckdb_runs_s": [round(t, 3) for t in duckdb_times],
        **dashboard,
        "refresh_s": round(refresh_s, 2),
        "refresh_changed_s": round(refresh_changed_s, 2),
        "aggregate_cells": refreshed["cells"],
        "live_equals_aggregates": equal,
        "live_equals_duckdb": duckdb_equal,
        "goals": {"dashboard_p95_ms": 300, "ratio_to_duckdb": 2, "refresh_changed_s": 60},
    }, ensure_ascii=False))
    return 0


EXPORTS = {
    "enrollment": "SELECT id, child_id, group_id, start_date, end_date FROM enrollment_enrollment",
    "child": "SELECT id, municipality_id, birth_date, merged_into_id FROM people_child",
    "grp": "SELECT id, programme_id FROM catalog_group",
    "programme": "SELECT id, direction_id, organization_id FROM catalog_programme",
    "organization": "SELECT id, org_type FROM catalog_organization",
}


def parquet_export(connection, folder: Path, enrollments: int) -> None:
    """The rows the breakdown reads, as Parquet (once per data set: kept with the enrollment count)."""
    import duckdb

    marker = folder / "enrollments.txt"
    if marker.exists() and marker.read_text().strip() == str(enrollments):
        return
    folder.mkdir(parents=True, exist_ok=True)
    log("exporting the rows to Parquet")
    for name, query in EXPORTS.items():
        csv_path = folder / f"{name}.csv"
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, open(csv_path, "wb") as out:
            with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                for chunk in copy:
                    out.write(chunk)
        duckdb.sql(f"COPY (SELECT * FROM read_csv_auto('{csv_path}')) TO '{folder / name}.parquet' (FORMAT parquet)")
        csv_path.unlink()
    marker.write_text(str(enrollments))


def duckdb_breakdown(folder: Path, on: dt.date) -> list[tuple]:
    import duckdb

    from kruzhok.monitoring.selectors import years_before

    bands = " ".join(
        f"WHEN c.birth_date > DATE '{years_before(on, b)}' AND c.birth_date <= DATE '{years_before(on, a)}' "
        f"THEN '{a}-{b - 1}'" for a, b in BANDS)
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    p = {name: f"'{folder / name}.parquet'" for name in EXPORTS}
    rows = con.execute(f"""
        SELECT c.municipality_id, pr.direction_id, o.org_type, CASE {bands} END AS band,
               COUNT(DISTINCT e.child_id), COUNT(*)
        FROM {p['enrollment']} e
        JOIN {p['child']} c ON c.id = e.child_id
        JOIN {p['grp']} g ON g.id = e.group_id
        JOIN {p['programme']} pr ON pr.id = g.programme_id
        JOIN {p['organization']} o ON o.id = pr.organization_id
        WHERE e.start_date <= DATE '{on}' AND (e.end_date IS NULL OR e.end_date >= DATE '{on}')
          AND c.merged_into_id IS NULL AND c.birth_date > DATE '{years_before(on, 18)}'
          AND c.birth_date <= DATE '{years_before(on, 5)}'
        GROUP BY ALL""").fetchall()
    con.close()
    return [tuple(r) for r in rows]


def dashboard_figures(on: dt.date, requests: int) -> dict:
    """``GET /monitoring/`` over the mix: wall and CPU time of this process (the test client runs the view here; the
    PostgreSQL server's CPU is not in it) per request, with the cells' cache as a user finds it after the first view of
    a filter, and cold (the cache cleared before each request); the queries per page; the load average around it."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    load_before = os.getloadavg()
    client, mix = dashboard_client(on)
    with CaptureQueriesContext(connection) as captured:
        client.get(mix[0][0], mix[0][1])
    queries_warm = len(captured)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(mix[0][0], mix[0][1])
    queries_cold = len(captured)
    warm, warm_cpu = timed_requests(client, mix, requests)
    cold, cold_cpu = timed_requests(client, mix, requests, before=cache.clear)

    def ms(values: list[float], share: float) -> float:
        return round(percentile(values, share), 1)

    return {"dashboard_p50_ms": ms(warm, 0.5), "dashboard_p95_ms": ms(warm, 0.95),
            "cpu_p50_ms": ms(warm_cpu, 0.5), "cpu_p95_ms": ms(warm_cpu, 0.95),
            "dashboard_cold_p50_ms": ms(cold, 0.5), "dashboard_cold_p95_ms": ms(cold, 0.95),
            "cold_cpu_p95_ms": ms(cold_cpu, 0.95), "dashboard_requests": len(warm),
            "dashboard_queries": queries_warm, "dashboard_cold_queries": queries_cold,
            "load_avg_before": [round(x, 2) for x in load_before],
            "load_avg_after": [round(x, 2) for x in os.getloadavg()]}


def timed_requests(client, mix: list, requests: int, before=None) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for i in range(requests):
        if before is not None:
            before()
        url, params = mix[i % len(mix)]
        started, cpu = time.perf_counter(), time.process_time()
        client.get(url, params)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus


def dashboard_client(on: dt.date):
    from django.test import Client
    from django.urls import reverse

    from kruzhok.accounts.models import User
    from kruzhok.catalog.models import Direction
    from kruzhok.territory.models import Municipality, Region

    user, _ = User.objects.get_or_create(email="bench-coverage@example.org",
                                         defaults={"is_superuser": True, "is_staff": True})
    client = Client()
    client.force_login(user)
    url = reverse("monitoring:dashboard")
    region = Region.objects.filter(municipalities__children__isnull=False).distinct().first()
    municipalities = list(Municipality.objects.filter(region=region).order_by("pk")[:10])
    direction = Direction.objects.filter(country="RU").order_by("order").first()
    mix = [{"on": on.isoformat(), "region": region.pk}]
    mix += [{"on": on.isoformat(), "municipality": m.pk} for m in municipalities]
    mix += [{"on": on.isoformat(), "region": region.pk, "direction": direction.pk},
            {"on": on.isoformat(), "region": region.pk, "org_type": "school"}]
    for params in mix:  # warm up, and fail loudly rather than time error pages
        response = client.get(url, params)
        if response.status_code != 200:
            raise SystemExit(f"dashboard answered {response.status_code} for {params}")
    return client, [(url, params) for params in mix]


if __name__ == "__main__":
    sys.exit(main())
