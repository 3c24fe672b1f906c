"""Enrollment rush: many families apply at once through the JSON API of a production-like server.

    make bench-rush            # (a) 2 000 applicants over 500 groups, (b) 10 000 applicants on one 25-seat group
    make bench-rush QUICK=1    # (a) 400 over 100 groups, (b) 2 000 on 25 seats
    PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/rush.py [--quick] [--workers 5] …

What it does, on the PostgreSQL server of ``PG_URL`` (its own databases ``bench_rush`` and
``bench_rush_pgbench``, dropped and created anew, dropped again at the end unless ``--keep-db``):

1. migrates ``bench_rush`` and writes the data in bulk (no API): one organization, the scenario groups, and per
   applicant a parent account with a guardian profile, a child of 7–14 and an API token (stored as its SHA-256);
2. starts granian (``config.wsgi``, the production server) on 127.0.0.1 at a free port —
   ``KRUZHOK_PROFILE=production`` (DEBUG off), persistent database connections (``DB_CONN_MAX_AGE``), status
   e-mails left to the outbox worker
   (``KRUZHOK_NOTIFY_INLINE=false``) — and warms every worker up;
3. runs each scenario: every applicant sends ``POST /api/applications`` with its bearer token and a unique
   ``Idempotency-Key``, at most ``--concurrency`` requests in flight (``bench/rush_client.py``); then re-sends a
   sample of acknowledged requests with the same keys (each must answer 200 with the same application);
4. checks the database: groups with more invited + enrolled children than seats (``overbooked_groups``),
   acknowledged applications that are not there (``lost_applications``), a child with two applications to one
   group or one application acknowledged for two keys (``duplicate_applications``), groups where a waitlisted
   application was received before an invited one (``queue_order_violations``) and seat counters that disagree
   with the rows (``counter_mismatches``);
5. stops the server (also on errors) and measures ``pgbench -N -c 8 -j 2 -T 10`` on the same server.

stdout carries one JSON line; progress goes to stderr. ``applications_per_s`` counts committed applications
(answers 201) per second of the scenario's wall time; the top-level figures are those of the worse scenario
(``"aggregate": "worst_scenario"``), counts of faults are summed. Each scenario also says where the CPU went
(``cpu_ms_per_request``: the server processes, the PostgreSQL backends serving them, this load generator — read
from /proc) and the machine's load average, since the load generator and the database share its cores.

Server defaults: granian with 2 workers × 4 threads (granian parses HTTP in Rust: about half the server CPU per
request of gunicorn's gthread workers, measured here; 8 threads a worker cost more CPU per request in lock
hand-offs and database connections than they gained); ``--workers``, ``--threads``, ``--concurrency`` or the
``RUSH_*`` variables change them. ``RUSH_SETTINGS`` names another settings module for the server only, for
experiments with database options (e.g. ``server_side_binding`` and ``prepare_threshold``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import rush_client  # noqa: E402

HOST = "127.0.0.1"
DB_NAME = "bench_rush"
PGBENCH_DB = "bench_rush_pgbench"
FULL = {"a": (2000, 500, 3), "b": (10_000, 1, 25)}  # applicants, groups, seats per group
QUICK = {"a": (400, 100, 3), "b": (2000, 1, 25)}
RETRY_SAMPLE = 50


def log(message: str) -> None:
    print(f"[rush] {message}", file=sys.stderr, flush=True)


# --- databases ------------------------------------------------------------------------------------------------


def pg_args(url: str) -> list[str]:
    parts = urlsplit(url)
    args = ["-h", parts.hostname or HOST, "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    return args


def pg_env(url: str) -> dict[str, str]:
    password = urlsplit(url).password
    return {**os.environ, **({"PGPASSWORD": password} if password else {})}


def db_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return parts._replace(path=f"/{name}").geturl()


def recreate_db(server_url: str, name: str) -> None:
    subprocess.run(["dropdb", *pg_args(server_url), "--if-exists", "--force", name], check=True, env=pg_env(server_url))
    subprocess.run(["createdb", *pg_args(server_url), name], check=True, env=pg_env(server_url))


def drop_db(server_url: str, name: str) -> None:
    subprocess.run(["dropdb", *pg_args(server_url), "--if-exists", "--force", name], env=pg_env(server_url),
                   stderr=subprocess.DEVNULL)


# --- data -----------------------------------------------------------------------------------------------------


def build_data(sizes: dict[str, tuple[int, int, int]], warmup: int, tag: str = "rush") -> dict:
    """Groups and applicants written in bulk; returns per scenario the group ids and (child, token) pairs."""
    from django.db import transaction
    from django.utils import timezone

    from kruzhok.accounts.api_auth import token_hash, token_new
    from kruzhok.accounts.models import ApiToken, User
    from kruzhok.catalog.models import Direction, Group, Organization, Programme
    from kruzhok.people.models import Child, Guardian, GuardianLink
    from kruzhok.territory.models import Municipality, Region

    today = timezone.localdate()
    with transaction.atomic():
        region = Region.objects.create(name="Область (нагрузка)", code=tag.upper(), country="RU")
        municipality = Municipality.objects.create(region=region, name="Город (нагрузка)", code=f"{tag.upper()}1")
        organization = Organization.objects.create(municipality=municipality, name="Дворец школьников (нагрузка)",
                                                   short_name="ДШ нагрузка", org_type="supplementary")
        programme = Programme.objects.create(organization=organization, title="Робототехника", age_from=7, age_to=14,
                                             hours=72, direction=Direction.objects.get(country="RU", code="technical"),
                                             status=Programme.Status.PUBLISHED)

        def groups(count: int, capacity: int, label: str) -> list[int]:
            rows = Group.objects.bulk_create([
                Group(programme=programme, name=f"{label}-{i}", capacity=capacity, age_from=7, age_to=14,
                      period_start=today, period_end=today + dt.timedelta(days=270)) for i in range(count)])
            return [g.pk for g in rows]

        plan = {"warmup": (warmup, 1, 1000)} | sizes
        group_ids = {name: groups(n_groups, seats, name) for name, (_, n_groups, seats) in plan.items()}
        total = sum(n for n, _, _ in plan.values())
        users = User.objects.bulk_create([User(email=f"{tag}{i}@bench.invalid", password="!") for i in range(total)],
                                         batch_size=2000)
        guardians = Guardian.objects.bulk_create([Guardian(user=u, surname="Родитель", name=str(i))
                                                  for i, u in enumerate(users)], batch_size=2000)
        rng = random.Random(7)
        children = Child.objects.bulk_create([
            Child(surname=f"Ребёнок{i}", name="Иван", sex="M", municipality=municipality,
                  birth_date=today.replace(year=today.year - 8 - rng.randrange(6), day=min(today.day, 28)))
            for i in range(total)], batch_size=2000)
        GuardianLink.objects.bulk_create([GuardianLink(guardian=g, child=c, relation="mother")
                                          for g, c in zip(guardians, children, strict=True)], batch_size=2000)
        tokens = [token_new() for _ in range(total)]
        ApiToken.objects.bulk_create([
            ApiToken(user=u, name="bench", key_hash=token_hash(t), prefix=t[:8],
                     scopes=[ApiToken.Scope.APPLICATIONS_READ, ApiToken.Scope.APPLICATIONS_WRITE])
            for u, t in zip(users, tokens, strict=True)], batch_size=2000)
    data, start = {}, 0
    for name, (n, _, _) in plan.items():
        data[name] = {"groups": group_ids[name],
                      "applicants": [(c.pk, t) for c, t in zip(children[start:start + n], tokens[start:start + n],
                                                               strict=True)]}
        start += n
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return data


# --- the server -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, *, workers: int, threads: int, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.env = {
            **os.environ, "DATABASE_URL": database_url, "KRUZHOK_PROFILE": "production",
            "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": HOST, "SECURE_SSL_REDIRECT": "false",
            "DB_CONN_MAX_AGE": "600", "KRUZHOK_NOTIFY_INLINE": "false", "LOG_LEVEL": "ERROR", "DEBUG": "false",
        }
        if os.environ.get("RUSH_SETTINGS"):  # an experiment: another settings module for the server only
            self.env["DJANGO_SETTINGS_MODULE"] = os.environ["RUSH_SETTINGS"]
        # granian: HTTP in Rust, the WSGI application in each worker's threads (the production server).
        self.command = [str(ROOT / ".venv" / "bin" / "granian"), "--interface", "wsgi", "--host", HOST,
                        "--port", str(self.port), "--workers", str(workers), "--blocking-threads", str(threads),
                        "--backlog", "2048", "--no-access-log", "--log-level", "warning",
                        "config.wsgi:application"]
        self.process: subprocess.Popen | None = None

    def start(self, probe_path: str) -> None:
        log(f"server: {' '.join(self.command)}")
        with open(self.log_path, "ab") as errors:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                            stderr=errors, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.port}{probe_path}", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within 60 s; see {self.log_path}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # our own session: the master and its workers only
            self.process.wait(timeout=10)


# --- where the CPU goes ----------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    pids.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return pids


def _backend_pids() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return [row[0] for row in cursor.fetchall()]


def cpu_snapshot(server: Server) -> dict[str, float]:
    """CPU seconds so far of the server processes, the PostgreSQL backends serving them and this load generator
    (backends are read from /proc: the server runs on this machine)."""
    return {"server": sum(_cpu_s(p) for p in _group_pids(server.process.pid)) if server.process else 0.0,
            "database": sum(_cpu_s(p) for p in _backend_pids()),
            "client": sum(os.times()[:2])}


# --- scenarios ------------------------------------------------------------------------------------------------


def apply_requests(applicants: list[tuple[int, str]], group_ids: list[int], label: str, seed: int):
    rng = random.Random(seed)
    requests = []
    for child_id, token in applicants:
        group_id = group_ids[rng.randrange(len(group_ids))]
        key = f"{label}-{child_id}-{secrets.token_hex(8)}"
        requests.append(rush_client.json_request(
            "POST", "/api/applications", {"child_id": child_id, "group_id": group_id},
            {"Authorization": f"Bearer {token}", "Idempotency-Key": key}, tag=(child_id, group_id, key)))
    return requests


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def run_scenario(name: str, requests: list, server: Server, *, concurrency: int, time_limit_s: float) -> dict:
    log(f"scenario {name}: {len(requests)} requests, {concurrency} in flight")
    before = cpu_snapshot(server)
    results, wall = rush_client.run(HOST, server.port, requests, concurrency=concurrency, time_limit_s=time_limit_s)
    after = cpu_snapshot(server)
    statuses = Counter(r.status for r in results)
    answered = sorted(r.latency_s * 1000 for r in results if r.status)
    acknowledged = [(r.request.tag, r.json().get("id"), r.json().get("status", {}).get("code"))
                    for r in results if 200 <= r.status < 300]
    created = sum(1 for r in results if r.status == 201)
    errors = Counter(r.json().get("code") or r.error or str(r.status) for r in results if not 200 <= r.status < 300)
    outcome = {
        "requests": len(requests),
        "applications_per_s": round(created / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(answered, 50), 1),
        "p95_ms": round(percentile(answered, 95), 1),
        "p99_ms": round(percentile(answered, 99), 1),
        "max_ms": round(answered[-1], 1) if answered else 0.0,
        "wall_s": round(wall, 2),
        "committed": created,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "answers": dict(Counter(status for _, _, status in acknowledged)),
        "errors": dict(errors.most_common(5)),
        "cpu_ms_per_request": {k: round(1000 * (after[k] - before[k]) / max(len(results), 1), 2) for k in after},
        "machine_load_1m": round(os.getloadavg()[0], 2),
    }
    log(f"scenario {name}: {created} committed in {wall:.2f} s = {outcome['applications_per_s']}/s, "
        f"p50 {outcome['p50_ms']} ms, p99 {outcome['p99_ms']} ms, statuses {outcome['statuses']}, "
        f"cpu ms/request {outcome['cpu_ms_per_request']}")
    return {"outcome": outcome, "acknowledged": acknowledged, "results": results}


def retry_sample(run: dict, port: int, seed: int) -> tuple[int, int]:
    """Re-send some acknowledged requests with their keys: each must answer 200 with the same application."""
    by_key = {r.request.tag[2]: r for r in run["results"] if r.status == 201}
    sample = random.Random(seed).sample(sorted(by_key), min(RETRY_SAMPLE, len(by_key)))
    results, _ = rush_client.run(HOST, port, [by_key[k].request for k in sample], concurrency=8)
    mismatched = sum(1 for r in results
                     if r.status != 200 or r.json().get("id") != by_key[r.request.tag[2]].json().get("id"))
    for r in results:
        if r.status == 200:
            run["acknowledged"].append((r.request.tag, r.json().get("id"), r.json().get("status", {}).get("code")))
    return len(sample), mismatched


def check_database(group_ids: list[int], acknowledged: list) -> dict:
    from django.db import connection

    ids = [app_id for _, app_id, _ in acknowledged if app_id is not None]
    keys_per_id: dict[int, set[str]] = {}
    for (_, _, key), app_id, _ in acknowledged:
        keys_per_id.setdefault(app_id, set()).add(key)
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FROM catalog_group g
            WHERE g.id = ANY(%s) AND g.capacity <
                (SELECT count(*) FROM enrollment_application a WHERE a.group_id = g.id AND a.status = 'invited')
              + (SELECT count(*) FROM enrollment_enrollment e WHERE e.group_id = g.id AND e.status = 'active')
        """, [group_ids])
        overbooked = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM enrollment_application WHERE id = ANY(%s)", [ids])
        present = {row[0] for row in cursor.fetchall()}
        cursor.execute("""
            SELECT count(*) FROM (SELECT child_id, group_id FROM enrollment_application WHERE group_id = ANY(%s)
                                  GROUP BY child_id, group_id HAVING count(*) > 1) d
        """, [group_ids])
        duplicate_pairs = cursor.fetchone()[0]
        cursor.execute("""
            SELECT count(DISTINCT w.group_id) FROM enrollment_application w
            JOIN enrollment_application i ON i.group_id = w.group_id AND i.status = 'invited'
            WHERE w.group_id = ANY(%s) AND w.status = 'waitlisted' AND (w.submitted_at, w.id) < (i.submitted_at, i.id)
        """, [group_ids])
        order_violations = cursor.fetchone()[0]
        cursor.execute("""
            SELECT count(*) FROM catalog_group g WHERE g.id = ANY(%s) AND g.held_count <>
                (SELECT count(*) FROM enrollment_application a WHERE a.group_id = g.id AND a.status = 'invited')
        """, [group_ids])
        counter_mismatches = cursor.fetchone()[0]
        cursor.execute("SELECT status, count(*) FROM enrollment_application WHERE group_id = ANY(%s) GROUP BY status",
                       [group_ids])
        in_db = dict(cursor.fetchall())
    return {
        "overbooked_groups": overbooked,
        "lost_applications": len(set(ids) - present),
        "duplicate_applications": duplicate_pairs + sum(1 for keys in keys_per_id.values() if len(keys) > 1),
        "queue_order_violations": order_violations,
        "counter_mismatches": counter_mismatches,
        "in_database": in_db,
    }


# --- pgbench --------------------------------------------------------------------------------------------------


def pgbench_tps(server_url: str, seconds: int) -> float:
    recreate_db(server_url, PGBENCH_DB)
    try:
        subprocess.run(["pgbench", *pg_args(server_url), "-i", "-q", PGBENCH_DB], check=True, env=pg_env(server_url),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = subprocess.run(["pgbench", *pg_args(server_url), "-N", "-c", "8", "-j", "2", "-T", str(seconds),
                              PGBENCH_DB], check=True, env=pg_env(server_url), capture_output=True, text=True).stdout
    finally:
        drop_db(server_url, PGBENCH_DB)
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or re.search(r"tps = ([\d.]+)", out)
    if not match:
        raise RuntimeError(f"cannot read pgbench output:\n{out}")
    return float(match.group(1))


# --- main -----------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller scenarios (400 and 2 000 applicants)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("RUSH_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("RUSH_THREADS", "4")))
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("RUSH_CONCURRENCY", "64")))
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per scenario at most")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--only", choices=["a", "b"], help="run one scenario")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {DB_NAME} database for inspection")
    args = parser.parse_args()
    server_url = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database_url = db_url(server_url, DB_NAME)
    sizes = {k: v for k, v in (QUICK if args.quick else FULL).items() if not args.only or k == args.only}
    names = {"a": "a_{}_over_{}", "b": "b_{}_on_{}"}

    log(f"database {DB_NAME}: create and migrate")
    recreate_db(server_url, DB_NAME)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    server: Server | None = None
    try:
        call_command("migrate", verbosity=0, interactive=False)
        warmup = 20 * args.workers * args.threads
        started = time.perf_counter()
        data = build_data(sizes, warmup)
        applicants = sum(len(d["applicants"]) for d in data.values())
        log(f"data: {applicants} applicants in {time.perf_counter() - started:.1f} s")
        connection.close()

        var = ROOT / "var"
        var.mkdir(exist_ok=True)
        server = Server(database_url, workers=args.workers, threads=args.threads,
                        log_path=var / "bench-rush-server.log")
        server.start(f"/api/groups/{data['warmup']['groups'][0]}")
        warm = apply_requests(data["warmup"]["applicants"], data["warmup"]["groups"], "warmup", seed=1)
        rush_client.run(HOST, server.port, warm, concurrency=args.concurrency)

        scenarios, runs = {}, {}
        for key, (n, n_groups, seats) in sizes.items():
            name = names[key].format(n, n_groups if key == "a" else seats)
            requests = apply_requests(data[key]["applicants"], data[key]["groups"], key, seed=ord(key))
            runs[key] = run_scenario(name, requests, server, concurrency=args.concurrency,
                                     time_limit_s=args.time_limit)
            retried, mismatched = retry_sample(runs[key], server.port, seed=3)
            scenarios[name] = runs[key]["outcome"] | {"retries": retried, "retry_mismatches": mismatched}
            if key == "b":
                scenarios[name]["within_10_s"] = runs[key]["outcome"]["wall_s"] <= 10
        server.stop()
        for key, name in zip(sizes, scenarios, strict=True):
            checks = check_database(data[key]["groups"], runs[key]["acknowledged"])
            checks["duplicate_applications"] += scenarios[name]["retry_mismatches"]
            scenarios[name] |= checks
        connection.close()

        log(f"pgbench -N -c 8 -j 2 -T {args.pgbench_seconds}")
        tps = pgbench_tps(server_url, args.pgbench_seconds)
    finally:
        if server is not None:
            server.stop()
        connection.close()
        if not args.keep_db:
            drop_db(server_url, DB_NAME)

    worst = min(scenarios.values(), key=lambda s: s["applications_per_s"])
    figures = {
        "benchmark": "rush",
        "quick": args.quick,
        "aggregate": "worst_scenario",
        "applications_per_s": worst["applications_per_s"],
        "p50_ms": max(s["p50_ms"] for s in scenarios.values()),
        "p95_ms": max(s["p95_ms"] for s in scenarios.values()),
        "p99_ms": max(s["p99_ms"] for s in scenarios.values()),
        "overbooked_groups": sum(s["overbooked_groups"] for s in scenarios.values()),
        "lost_applications": sum(s["lost_applications"] for s in scenarios.values()),
        "duplicate_applications": sum(s["duplicate_applications"] for s in scenarios.values()),
        "queue_order_violations": sum(s["queue_order_violations"] for s in scenarios.values()),
        "pgbench_tps": round(tps, 1),
        "ratio_to_pgbench": round(worst["applications_per_s"] / tps, 3) if tps else None,
        "server": {"server": "granian", "workers": args.workers, "threads": args.threads,
                   "concurrency": args.concurrency, "cpus": os.cpu_count()},
        "scenarios": {name: s | {"pgbench_tps": round(tps, 1),
                                 "ratio_to_pgbench": round(s["applications_per_s"] / tps, 3) if tps else None}
                      for name, s in scenarios.items()},
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
