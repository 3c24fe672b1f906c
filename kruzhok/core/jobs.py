"""Background jobs with progress: one row per job (:class:`~kruzhok.core.models.Job`), run by the django-tasks worker.

A feature registers a handler and starts jobs::

    @job_handler("dedup.search")
    def _search(job: Job, progress: Progress) -> dict:
        for done, batch in enumerate(batches, 1):
            with transaction.atomic():
                ...
            progress(done, total=len(batches), message=_("Сравнение пар"))
        return {"pairs": 120, "url": reverse(...)}   # stored in job.result; "url" becomes a link on the page

    job = job_start(kind="dedup.search", params={"municipality": 3}, actor=request.user)

``job_start`` enqueues after the surrounding transaction commits (a rolled-back request starts nothing).
The page shows ``{% include "core/_job.html" %}``, which polls ``/jobs/<id>/`` with htmx until the job ends.

Progress is written with ``UPDATE … WHERE id`` outside the handler's own transactions, at most every
``PROGRESS_EVERY_S`` seconds (and always at the end). A handler that can resume after a killed worker keeps its
position with ``progress.checkpoint({...})`` (stored in ``job.state`` — call it inside the transaction of the
batch it describes, so the position and the rows commit together) and reads ``job.state`` when it starts.
:func:`jobs_recover` re-queues jobs whose worker stopped beating (``manage.py recover_jobs``, run before the
worker starts).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.core.errors import DomainError
from kruzhok.core.models import Job

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.5
STALE_AFTER = dt.timedelta(minutes=2)

Handler = Callable[[Job, "Progress"], dict | None]
_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _HANDLERS[kind] = handler
        return handler
    return register


class Progress:
    """Callable progress reporter of one running job."""

    def __init__(self, job: Job):
        self.job = job
        self._last = 0.0

    def __call__(self, done: int, *, total: int | None = None, message: str | None = None, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        fields: dict[str, Any] = {"done": done, "updated_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = str(message)[:300]
        Job.objects.filter(pk=self.job.pk).update(**fields)
        for name, value in fields.items():
            setattr(self.job, name, value)

    def checkpoint(self, state: dict) -> None:
        """Remember where the job stands; commits with the caller's transaction."""
        Job.objects.filter(pk=self.job.pk).update(state=state, updated_at=timezone.now())
        self.job.state = state


def job_start(*, kind: str, params: dict | None = None, actor=None) -> Job:
    if kind not in _HANDLERS:
        raise ValueError(f"no job handler registered for {kind!r}")
    job = Job.objects.create(kind=kind, params=params or {},
                             created_by=actor if getattr(actor, "is_authenticated", False) else None)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from kruzhok.core.tasks import run_job

    run_job.enqueue(job_id)


def job_run(job_id: int) -> Job | None:
    """Claim the job (queued, or running with a dead worker) and run its handler; None if someone else has it."""
    stale = timezone.now() - STALE_AFTER
    claimed = (Job.objects.filter(pk=job_id)
               .filter(Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, updated_at__lt=stale))
               .update(status=Job.Status.RUNNING, started_at=timezone.now(), updated_at=timezone.now(),
                       attempts=F("attempts") + 1, error=""))
    if claimed != 1:
        return None
    job = Job.objects.get(pk=job_id)
    progress = Progress(job)
    try:
        result = _HANDLERS[job.kind](job, progress)
    except DomainError as exc:
        _finish(job, Job.Status.FAILED, error=exc.messages[0])
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, Job.Status.FAILED, error=_("Работа прервана из-за внутренней ошибки; администратор увидит "
                                                 "подробности в журнале."))
    else:
        _finish(job, Job.Status.DONE, result=result or {})
    return job


def _finish(job: Job, status: str, *, result: dict | None = None, error: str = "") -> None:
    fields: dict[str, Any] = {"status": status, "finished_at": timezone.now(), "updated_at": timezone.now(),
                              "error": str(error)}
    if result is not None:
        fields["result"] = result
        if job.total is not None:
            fields["done"] = job.total
    Job.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def jobs_recover() -> list[int]:
    """Re-queue jobs left running by a worker that died (no progress for ``STALE_AFTER``) and jobs never queued."""
    stale = timezone.now() - STALE_AFTER
    ids = list(Job.objects.filter(Q(status=Job.Status.RUNNING, updated_at__lt=stale)
                                  | Q(status=Job.Status.QUEUED, created_at__lt=stale)).values_list("pk", flat=True))
    for job_id in ids:
        _enqueue(job_id)
    return ids


def job_for_user(user, job_id: int) -> Job:
    """The job if ``user`` started it (or is a superuser); ``Job.DoesNotExist`` otherwise."""
    qs = Job.objects.all() if user.is_superuser else Job.objects.filter(created_by=user)
    return qs.get(pk=job_id)
