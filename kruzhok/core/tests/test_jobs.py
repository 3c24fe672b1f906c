"""Background jobs: run on commit, report progress, fail with a message, resume after a dead worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from kruzhok.core import jobs
from kruzhok.core.errors import DomainError
from kruzhok.core.models import Job
from kruzhok.factories import UserFactory

pytestmark = pytest.mark.django_db

SEEN: list[dict] = []


@jobs.job_handler("test.count")
def _count(job: Job, progress: jobs.Progress) -> dict:
    start = job.state.get("next", 0)
    for i in range(start, job.params["n"]):
        with transaction.atomic():
            progress.checkpoint({"next": i + 1})
        progress(i + 1, total=job.params["n"], message="step", force=True)
        SEEN.append({"job": job.pk, "i": i})
        if job.params.get("die_at") == i and job.attempts == 1:
            raise KeyboardInterrupt  # a worker killed mid-way: the job stays "running"
    return {"n": job.params["n"], "url": "/done/"}


@jobs.job_handler("test.refuse")
def _refuse(job: Job, progress: jobs.Progress) -> dict:
    raise DomainError("Нельзя: нет данных.", code="no_data")


def test_job_runs_after_commit_and_records_progress(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_start(kind="test.count", params={"n": 3}, actor=user)
        assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.result) == ("done", 3, 3, {"n": 3, "url": "/done/"})
    assert job.percent == 100 and job.finished


def test_a_refused_job_keeps_the_message():
    job = Job.objects.create(kind="test.refuse")
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == "Нельзя: нет данных."


def test_a_job_is_claimed_once():
    job = Job.objects.create(kind="test.count", params={"n": 1})
    assert jobs.job_run(job.pk) is not None
    assert jobs.job_run(job.pk) is None


def test_a_job_of_a_dead_worker_resumes_from_its_checkpoint(django_capture_on_commit_callbacks):
    SEEN.clear()
    job = Job.objects.create(kind="test.count", params={"n": 5, "die_at": 2})
    with pytest.raises(KeyboardInterrupt):
        jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.state == {"next": 3}
    assert jobs.jobs_recover() == []  # still beating: not stale yet
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.jobs_recover() == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2
    assert [s["i"] for s in SEEN] == [0, 1, 2, 3, 4]


def test_progress_page_is_the_starters_only(client):
    owner, other = UserFactory(), UserFactory()
    job = Job.objects.create(kind="test.count", params={"n": 2}, created_by=owner)
    client.force_login(other)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    client.force_login(owner)
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.content.decode()
    jobs.job_run(job.pk)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "hx-trigger" not in page and 'href="/done/"' in page
