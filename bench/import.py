"""Import benchmark: 100 000 children with guardians and enrollments from one XLSX file, end to end, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/import.py [--quick] [--rows N]

Runs in a database of its own, ``bench_import`` (``--quick``: ``bench_import_quick``, 5 000 rows) on the server of
``DATABASE_URL``: created when missing, migrated, and its registry tables emptied before each run (TRUNCATE of
children, guardians, enrollments and the catalog). It makes one region, one municipality, 20 organizations (by
ИНН), one programme (ages 7–14) and 10 groups of 1 000 seats each; then writes an XLSX of ``rows`` children
(the :data:`kruzhok.interchange.sample.CHILD_HEADER` columns: name, birth date, sex, a valid ИИН, municipality,
a category on every 50th child, a guardian with phone, and the organization/programme/group/start date of an
enrollment), 1 % of them with a wrong ИИН check digit (refused), with openpyxl's write-only mode (not timed).

What is timed: the import job itself (``job_run`` of an ``interchange.import`` job, in this process) — reading the
XLSX (the regex reader of :mod:`kruzhok.interchange.reading`), parsing and validating each cell, the natural-key
lookups, the age check,
and the bulk writes of children, guardians, links, categories and enrollments, batch by batch with a checkpoint
per batch. The file (100 000 rows) is read by the forked reading process of :mod:`kruzhok.interchange.importer`.

The import runs ``--runs`` times (3; ``--quick``: 1), the children, guardians and enrollments emptied (and the
groups' counters reset) before each. Progress goes to stderr; stdout gets one JSON line: ``rows``, ``rows_per_s``
(the median run), ``refused_rows``, ``runs_rows_per_s`` (every run) and, of the median run, ``seconds``,
``created``, ``python_cpu_s`` — CPU time of this process —, ``reader_cpu_s`` — of the forked reading process —,
``db_s`` — wall time inside PostgreSQL calls, commits included —, ``db_cpu_s`` — CPU time of the PostgreSQL
backend, from ``/proc`` (None when the server is on another machine); what ``db_s`` has beyond it is the backend
waiting for a CPU — and ``load_avg_1m``, since a loaded machine slows everything. ``--reimport`` adds a run of the
same file over the last one (nothing changes) as ``reimport_rows_per_s``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_ensure(base: str, name: str) -> str:
    import psycopg

    with psycopg.connect(urlunsplit(urlsplit(base)._replace(scheme="postgresql")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int)
    parser.add_argument("--reimport", action="store_true")
    parser.add_argument("--runs", type=int)
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    rows = args.rows or (5_000 if args.quick else 100_000)
    base = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/import.py needs PostgreSQL in DATABASE_URL")
    os.environ["DATABASE_URL"] = database_ensure(base, "bench_import_quick" if args.quick else "bench_import")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["KRUZHOK_TASKS"] = "immediate"
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    log("migrating")
    call_command("migrate", verbosity=0, interactive=False)
    from kruzhok.accounts.models import User
    from kruzhok.catalog.models import Direction, Group, Organization, Programme
    from kruzhok.core.jobs import job_run
    from kruzhok.core.models import Job
    from kruzhok.interchange.export import xlsx_bytes
    from kruzhok.interchange.importer import import_start, upload_save
    from kruzhok.interchange.sample import CHILD_HEADER, bad_iin, child_rows
    from kruzhok.territory.models import Municipality, Region

    people = ("enrollment_enrollment, enrollment_applicationstatuschange, enrollment_application, "
              "people_childcategory, people_guardianlink, people_consent, people_guardian, people_child")
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {people}, catalog_scheduleslot, catalog_group_teachers, catalog_group, "
                       "catalog_programme_network_partners, catalog_programme, catalog_venue, catalog_employment, "
                       "catalog_organization, territory_population, territory_settlement, territory_municipality, "
                       "territory_region CASCADE")
        cursor.execute(f"ANALYZE {people}")
    region = Region.objects.create(name="Бенч-область", code="BENCH", country="KZ")
    town = Municipality.objects.create(region=region, name="Бенч-город", code="BENCH1")
    direction = Direction.objects.filter(country="KZ").first() or Direction.objects.first()
    groups = []
    for n in range(20):
        org = Organization.objects.create(municipality=town, name=f"Центр творчества № {n}",
                                          short_name=f"ЦТ {n}", tax_id=f"{990000000000 + n}",
                                          org_type=Organization.Type.SUPPLEMENTARY)
        programme = Programme.objects.create(organization=org, code=f"P{n}", title="Робототехника",
                                             direction=direction, age_from=7, age_to=14, hours=72)
        for g in range(10 if n == 0 else 1):
            Group.objects.create(programme=programme, name=f"Группа {g}", capacity=11_000, age_from=7, age_to=14,
                                 period_start=dt.date(2025, 9, 1), period_end=dt.date(2026, 5, 31))
            groups.append((org.tax_id, programme.code, f"Группа {g}"))
    user, _ = User.objects.get_or_create(email="bench-import@example.org",
                                         defaults={"is_superuser": True, "is_staff": True})

    log(f"writing {rows} rows of XLSX")
    t = time.perf_counter()
    table = list(child_rows(rows, groups=groups, municipality="BENCH1", start=dt.date(2025, 9, 1)))
    for i in range(0, rows, 100):
        table[i][6] = bad_iin(table[i][6])
    data = xlsx_bytes([(h, h) for h in CHILD_HEADER], table)
    del table
    log(f"  {time.perf_counter() - t:.1f} s, {len(data) / 1e6:.1f} MB")
    name = upload_save(data, suffix=".xlsx")

    cpu = [0.0, 0.0]
    db_cpu: list[float | None] = [None]
    # Wall time spent in PostgreSQL (statements, COPY, commits with their deferred foreign-key checks): the rest of
    # ``seconds`` is this process's own work and its wait for a CPU.
    db = [0.0]

    def timed_sql(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db[0] += time.perf_counter() - t

    import kruzhok.demo.scale_io as scale_io

    plain_write, plain_commit = scale_io.TableWriter.write, connection.commit

    def timed_write(self, rows):
        t = time.perf_counter()
        try:
            return plain_write(self, rows)
        finally:
            db[0] += time.perf_counter() - t

    def timed_commit():
        t = time.perf_counter()
        try:
            return plain_commit()
        finally:
            db[0] += time.perf_counter() - t

    scale_io.TableWriter.write = timed_write
    connection.commit = timed_commit
    connection.execute_wrappers.append(timed_sql)

    def backend_cpu() -> tuple[int, float] | None:
        """(pid, CPU seconds so far) of this connection's PostgreSQL backend (a server on this machine), or None."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def run() -> tuple[Job, float]:
        b0 = backend_cpu()
        t0, c0, r0 = time.perf_counter(), time.process_time(), children_cpu()
        db[0] = 0.0
        job = import_start(user=user, file=name, registry="children", dry_run=False)  # runs it (immediate backend)
        job_run(job.pk)  # no-op when it already ran
        seconds = time.perf_counter() - t0
        cpu[0], cpu[1] = time.process_time() - c0, children_cpu() - r0
        b1 = backend_cpu()
        # None when the server is elsewhere or the job ran on another connection
        db_cpu[0] = None if b0 is None or b1 is None or b0[0] != b1[0] else b1[1] - b0[1]
        job.refresh_from_db()
        if job.status != Job.Status.DONE:
            sys.exit(f"import failed: {job.error}")
        return job, seconds

    # A worker has its URL configuration loaded after its first job; this fresh process loads it here, untimed
    # (the job's result names its page).
    from django.urls import reverse

    reverse("interchange:job", args=[0])
    measured = []
    for n in range(runs):
        if n:
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {people} CASCADE")
                cursor.execute("UPDATE catalog_group SET enrolled_count = 0, held_count = 0")
                cursor.execute(f"ANALYZE {people}")  # statistics of empty tables, as before the first run
        log(f"importing (run {n + 1} of {runs})")
        job, seconds = run()
        result = job.result
        log(f"  {seconds:.1f} s: {result['created']} created, {result['refused']} refused")
        measured.append((result["rows"] / seconds, {
            "rows": result["rows"], "rows_per_s": round(result["rows"] / seconds),
            "refused_rows": result["refused"], "seconds": round(seconds, 2), "created": result["created"],
            "python_cpu_s": round(cpu[0], 2), "reader_cpu_s": round(cpu[1], 2), "db_s": round(db[0], 2),
            "db_cpu_s": None if db_cpu[0] is None else round(db_cpu[0], 2),
            "load_avg_1m": round(os.getloadavg()[0], 1)}))
    median = statistics.median_low(rate for rate, _figures in measured)
    out = next(figures for rate, figures in measured if rate == median)
    out["runs_rows_per_s"] = [figures["rows_per_s"] for _rate, figures in measured]
    if args.reimport:
        again, seconds2 = run()
        log(f"  re-import {seconds2:.1f} s: {again.result}")
        out["reimport_rows_per_s"] = round(again.result["rows"] / seconds2)
        out["reimport_changed"] = again.result["created"] + again.result["updated"]
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
