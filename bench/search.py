"""Catalog search benchmark: server time of the catalog page over 60 000 programmes / 100 000 groups.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/search.py [--quick]

The data lives in a database of its own, ``bench_search`` (``--quick``: ``bench_search_quick``) on the
server of ``DATABASE_URL`` (created when missing; ``--database`` names another): migrated, filled by the
scale generator of ``manage.py demo --children N`` sized to the programmes and groups wanted (2 500 000
children → 60 000 programmes and 100 000 groups, about 6 minutes; ``--quick``: 250 000 → 6 000 / 10 000,
under a minute) and kept between runs (``--rebuild`` starts again). The generator writes no descriptions and
no timetable, so the benchmark adds them: two sentences of description per programme and two classes a week
per group. Then it rebuilds the whole search index in one statement (``programme_search_refresh()``, timed
as ``refresh_s``; the triggers keep it current otherwise) and runs VACUUM ANALYZE on the catalog tables.

What is timed: a full ``GET /catalog/?…`` through ``django.test.Client`` — middleware, the search form with
its choices, the selector (search, filters, matching groups), the template — in this process, no network,
``DEBUG`` off. A fixed mix of 34 queries (10 words, 10 misspellings, 10 filters only, 4 words with filters or
a later page) is run once to warm up, then cycled to ``--requests`` (default 300, at least 200) timed
requests. The selector alone (``catalog_search``) is timed over the same mix too (``selector_*``).
Progress goes to stderr; stdout gets one JSON line (``programmes``, ``groups``, ``p50_ms``, ``p95_ms`` …).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
FULL = {"children": 2_500_000, "municipalities": 40}
QUICK = {"children": 250_000, "municipalities": 10}
SEED = 2024
CPU_TIMES: list[float] = []  # this process's CPU per timed page request (the machine is shared: wall times vary)

WORDS = ["робототехника", "шахматы", "футбол", "народный танец", "вокал", "программирование python",
         "юный турист", "3d моделирование", "английский язык", "театральная студия"]
MISSPELLINGS = ["работотехника", "шахмты", "футбл", "танци", "програмирование", "хореграфия", "баскетбл",
                "изостудя", "фортепьяно", "волейбл"]
SENTENCES = [
    "Занятия проходят в игровой форме и развивают внимание, память и логическое мышление.",
    "Программа знакомит детей с основами выбранного направления и помогает найти увлечение.",
    "Обучающиеся участвуют в конкурсах, фестивалях и соревнованиях муниципального и регионального уровня.",
    "Педагог подбирает задания по возрасту и уровню подготовки каждого ребёнка.",
    "Особое внимание уделяется работе в команде и проектной деятельности.",
    "Все материалы и оборудование предоставляются бесплатно.",
    "По итогам года ребята представляют свои работы на открытом занятии для родителей.",
    "Программа может быть адаптирована для детей с особыми образовательными потребностями.",
    "Занятия ведут педагоги высшей и первой квалификационной категории.",
    "Группы комплектуются с учётом возраста, набор ведётся в течение всего учебного года.",
    "Дети учатся ставить цели, планировать работу и доводить начатое до результата.",
    "Летом для обучающихся проводится профильная смена.",
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_ensure(base: str, name: str) -> None:
    import psycopg

    with psycopg.connect(urlunsplit(urlsplit(base)._replace(scheme="postgresql")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def _cpu_s(pid: int) -> float:
    """CPU seconds so far of a process of this machine (the PostgreSQL backend serving this benchmark)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def figures(values: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(values), 2), "p95_ms": round(percentile(values, 0.95), 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 000 programmes / 10 000 groups")
    parser.add_argument("--database", help="database to fill, created when missing (default: bench_search, with"
                                               " --quick bench_search_quick)")
    parser.add_argument("--rebuild", action="store_true", help="wipe and generate the data again")
    parser.add_argument("--requests", type=int, default=300, help="timed requests (at least 200)")
    args = parser.parse_args()
    size = QUICK if args.quick else FULL

    base = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not base.startswith(("postgres://", "postgresql://")):
        log("bench/search.py needs PostgreSQL: set DATABASE_URL=postgres://…")
        return 2
    database = args.database or ("bench_search_quick" if args.quick else "bench_search")
    database_ensure(base, database)
    os.environ["DATABASE_URL"] = database_url(base, database)
    os.environ["DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kruzhok.catalog.models import Group, Programme

    setup_started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    expected_groups = round(size["children"] / 25)
    if args.rebuild or Group.objects.count() != expected_groups:
        from kruzhok.demo.scale import scale_build
        from kruzhok.demo.wipe import registry_data_wipe

        log(f"generating {size['children']} children, {expected_groups} groups (once; kept for later runs)")
        registry_data_wipe()
        scale_build(children=size["children"], municipalities=size["municipalities"], seed=SEED, progress=True)
    else:
        log("reusing the generated data (--rebuild to generate it again)")
    refresh_s = prepare(connection)
    setup_s = time.perf_counter() - setup_started

    programmes, groups = Programme.objects.count(), Group.objects.count()
    mix = query_mix()
    log(f"{programmes} programmes, {groups} groups; {len(mix)} queries in the mix, warming up")
    backend = connection.cursor().connection.info.backend_pid
    db_cpu_started = _cpu_s(backend)
    page_times, selector_times, kinds = run(mix, max(200, args.requests))
    db_cpu_ms = 1000 * (_cpu_s(backend) - db_cpu_started) / (2 * len(page_times))  # pages and selector runs
    by_kind = {kind: figures([t for t, k in zip(page_times, kinds, strict=True) if k == kind])
               for kind in dict.fromkeys(kinds)}
    print(json.dumps({
        "benchmark": "search",
        "quick": args.quick,
        "database": f"postgresql {connection.pg_version // 10000}",
        "programmes": programmes,
        "groups": groups,
        **figures(page_times),
        "p99_ms": round(percentile(page_times, 0.99), 2),
        "max_ms": round(max(page_times), 2),
        "requests": len(page_times),
        "measured": "GET /catalog/ via django.test.Client in process (middleware, form, selector, template)",
        "by_kind": by_kind,
        "cpu_p50_ms": round(percentile(CPU_TIMES, 0.50), 2),
        "cpu_p95_ms": round(percentile(CPU_TIMES, 0.95), 2),
        "db_cpu_ms_per_request": round(db_cpu_ms, 2),
        "machine_load_1m": round(os.getloadavg()[0], 2),
        "selector_p50_ms": figures(selector_times)["p50_ms"],
        "selector_p95_ms": figures(selector_times)["p95_ms"],
        "refresh_s": round(refresh_s, 2),
        "setup_s": round(setup_s, 1),
        "goal_p95_ms": 50,
    }, ensure_ascii=False))
    return 0


def prepare(connection) -> float:
    """Descriptions and a timetable where the generator left none; then the whole index rebuilt, timed."""
    from django.db import transaction

    from kruzhok.catalog.search import programme_search_refresh

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # no per-row index triggers: one refresh
        cursor.execute(
            "UPDATE catalog_programme SET description = (%s::text[])[1 + id %% 12] || ' '"
            " || (%s::text[])[1 + (id / 12) %% 12] WHERE description = ''", [SENTENCES, SENTENCES[::-1]])
        cursor.execute(
            "INSERT INTO catalog_scheduleslot (group_id, weekday, starts_at, ends_at, venue_id)"
            " SELECT g.id, 1 + (g.id + k) % 6 + k, time '14:00' + (g.id % 8) * interval '30 minutes',"
            " time '15:30' + (g.id % 8) * interval '30 minutes', NULL"
            " FROM catalog_group g CROSS JOIN (VALUES (0), (1)) AS extra(k)"
            " WHERE NOT EXISTS (SELECT 1 FROM catalog_scheduleslot s WHERE s.group_id = g.id)")
    started = time.perf_counter()
    programme_search_refresh()
    refresh_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in ("catalog_programme", "catalog_group", "catalog_scheduleslot", "catalog_organization",
                      "catalog_venue", "catalog_direction", "territory_settlement", "territory_municipality",
                      "catalog_programme_search", "catalog_search_word"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return refresh_s


def query_mix() -> list[tuple[str, dict]]:
    """(kind, GET parameters): the same list every run for the same data."""
    from kruzhok.catalog.models import Direction
    from kruzhok.territory.models import Municipality, Settlement

    municipalities = list(Municipality.objects.filter(region__code__startswith="SCALE-").order_by("code")
                          .values_list("pk", flat=True))
    settlements = list(Settlement.objects.filter(municipality_id__in=municipalities[:3]).order_by("pk")
                       .values_list("pk", flat=True))
    directions = dict(Direction.objects.filter(country="RU").values_list("code", "pk"))
    mix: list[tuple[str, dict]] = [("words", {"q": q}) for q in WORDS]
    mix += [("misspellings", {"q": q}) for q in MISSPELLINGS]
    mix += [("filters", params) for params in (
        {"direction": directions["technical"]},
        {"age": 10},
        {"municipality": municipalities[0]},
        {"settlement": settlements[1], "age": 8},
        {"funding": "paid"},
        {"weekdays": ["2", "4"], "time_from": "15:00"},
        {"seats": "on", "open": "on"},
        {"adapted_ovz": "on"},
        {"age": 12, "direction": directions["sport"], "seats": "on"},
        {"direction": directions["artistic"], "page": 3},
    )]
    mix += [("words+filters", params) for params in (
        {"q": "шахматы", "age": 9},
        {"q": "танци", "municipality": municipalities[1]},
        {"q": "футбол", "weekdays": ["6"], "seats": "on"},
        {"q": "робототехника", "page": 2},
    )]
    return mix


def run(mix: list[tuple[str, dict]], requests: int) -> tuple[list[float], list[float], list[str]]:
    from django.http import QueryDict
    from django.test import Client

    from kruzhok.catalog.forms import CatalogSearchForm
    from kruzhok.catalog.selectors import catalog_search

    client = Client()
    for _kind, params in mix:  # warm-up: plans, caches, templates
        assert client.get("/catalog/", params).status_code == 200
    # As a server does once it has started (config/gunicorn.py): what start-up loaded is frozen out of the garbage
    # collector's scans, which otherwise land, every so often, in the middle of a request as a long tail.
    gc.collect()
    gc.freeze()
    page_times, kinds = [], []
    for n in range(requests):
        kind, params = mix[n % len(mix)]
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get("/catalog/", params)
        page_times.append((time.perf_counter() - started) * 1000)
        CPU_TIMES.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200
        kinds.append(kind)
    selector_times = []
    for n in range(requests):
        _kind, params = mix[n % len(mix)]
        form = CatalogSearchForm(QueryDict(urlencode(params, doseq=True)))
        filters, page = form.filters(), form.page_number()
        started = time.perf_counter()
        catalog_search(filters=filters, page=page)
        selector_times.append((time.perf_counter() - started) * 1000)
    return page_times, selector_times, kinds


if __name__ == "__main__":
    sys.exit(main())
