"""A worker killed with SIGKILL at several points of a large import, then restarted, ends with exactly the rows of
a clean run: batches are transactional and the job resumes from its last committed checkpoint.

The worker is a real separate process (``python -c "... job_run(id)"`` on the test database), so it needs
PostgreSQL: the SQLite test database is in memory and not shared across processes.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from kruzhok.core.jobs import STALE_AFTER, job_run
from kruzhok.core.models import Job
from kruzhok.enrollment.models import Enrollment
from kruzhok.interchange.importer import errors_read, import_start, upload_save
from kruzhok.interchange.registries import REGISTRIES
from kruzhok.interchange.sample import CHILD_HEADER, bad_iin
from kruzhok.interchange.tests.test_import import table, town, xlsx_file  # noqa: F401
from kruzhok.people.models import Child, ChildCategory, Guardian, GuardianLink

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[3]
N = 2000
BATCH = 100


def _worker(job_id: int, *, fork_rows: int = 0) -> subprocess.Popen:
    """A worker running the job; ``fork_rows=0``: it reads the file in a forked reading process."""
    env = {**os.environ, "DATABASE_URL": _url(), "MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "DJANGO_SETTINGS_MODULE": "config.settings", "KRUZHOK_TASKS": "immediate",
           "KRUZHOK_IMPORT_FORK_ROWS": str(fork_rows)}
    code = ("import django; django.setup(); from kruzhok.core.jobs import job_run; "
            f"job_run({job_id})")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)


def _url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _snapshot(user) -> dict:
    reg = REGISTRIES["children"]
    return {"rows": sorted(map(repr, reg.export_rows(user))),
            "counts": (Child.objects.count(), Enrollment.objects.count(), Guardian.objects.count(),
                       GuardianLink.objects.count(), ChildCategory.objects.count())}


def _wipe(groups) -> None:
    children = Child.objects.filter(enrollments__group__in=groups).values("pk")
    guardians = list(GuardianLink.objects.filter(child__in=children).values_list("guardian_id", flat=True))
    ids = list(children.values_list("pk", flat=True))
    for qs in (Enrollment.objects.filter(group__in=groups), ChildCategory.objects.filter(child__in=ids),
               GuardianLink.objects.filter(child__in=ids), Guardian.objects.filter(pk__in=guardians),
               Child.objects.filter(pk__in=ids)):
        qs._raw_delete(qs.db)


def _children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid``."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _wait_for_checkpoint(job_id: int, next_row: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = Job.objects.filter(pk=job_id).values_list("state", flat=True).get()
        if (state or {}).get("next_row", 0) >= next_row:
            return
        if proc.poll() is not None:
            raise AssertionError("the worker finished before the kill point")
        time.sleep(0.01)
    raise AssertionError("no progress")


def test_killed_worker_resumes_to_the_rows_of_a_clean_run(town, tmp_path, settings):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    user = town.municipal_admin
    rows = table(town, N)
    for i in range(0, N, 40):  # a refused row now and then: the error report must come out the same too
        rows[i][6] = bad_iin(rows[i][6])
    data = xlsx_file(CHILD_HEADER, rows)

    clean = import_start(user=user, file=upload_save(data, suffix=".xlsx"), registry="children", dry_run=False,
                         batch_size=BATCH)
    job_run(clean.pk)
    clean.refresh_from_db()
    assert clean.status == Job.Status.DONE, clean.error
    expected = _snapshot(user)
    expected_errors = errors_read(clean.pk)
    assert clean.result["refused"] == N // 40
    _wipe(town.imp_groups)

    # queued only: the workers below are the only ones to run it
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = import_start(user=user, file=upload_save(data, suffix=".xlsx"), registry="children", dry_run=False,
                       batch_size=BATCH)
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    # kill points: after the first committed batch, in the middle, near the end (each lands inside a batch or
    # between batches, wherever the worker happens to be)
    # The clean run read the file itself (fewer rows than KRUZHOK_IMPORT_FORK_ROWS); these workers mostly read it
    # in a forked process, which must not outlive its killed worker.
    for kill_after, fork_rows in ((2 + BATCH, 0), (2 + N // 3, 10 ** 9), (2 + 2 * N // 3, 0)):
        proc = _worker(job.pk, fork_rows=fork_rows)
        _wait_for_checkpoint(job.pk, kill_after, proc)
        readers = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while not all(map(_gone, readers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(map(_gone, readers)), f"a reading process outlived its killed worker: {readers}"
        stuck = Job.objects.get(pk=job.pk)
        assert stuck.status == Job.Status.RUNNING
        # the dead worker stops beating; after STALE_AFTER recover_jobs/job_run may take the job over
        Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - STALE_AFTER - dt.timedelta(seconds=1))
    proc = _worker(job.pk)
    assert proc.wait(timeout=300) == 0
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.attempts == 4
    assert _snapshot(user) == expected
    assert errors_read(job.pk) == expected_errors
    assert {k: job.result[k] for k in ("created", "updated", "unchanged", "refused")} == \
        {k: clean.result[k] for k in ("created", "updated", "unchanged", "refused")}
