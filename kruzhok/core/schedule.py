"""Periodic background jobs: a small registry and a ticker that starts each due job once per period.

An app registers its schedule in ``AppConfig.ready``::

    schedule_register("reports.weekly", every="weekly", kind="reports.scheduled", params={"template": "weekly"})

``manage.py run_schedule`` (one tick; ``--loop`` ticks every minute, as a service beside the worker) starts, for
every schedule whose current period — the day, the ISO week (from Monday), the month or the quarter — has no
:class:`~kruzhok.core.models.ScheduleRun` yet, the job ``kind`` with ``params`` plus ``"period"``: the *previous*
period, the one just completed (``{"key": "2026-W47", "start": "2026-11-16", "end": "2026-11-22"}``). The row is
inserted before the job starts, under a unique constraint, so two tickers never start the same period twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Literal

from django.db import IntegrityError, transaction
from django.utils import timezone

from kruzhok.core.jobs import job_start
from kruzhok.core.models import Job, ScheduleRun

log = logging.getLogger(__name__)

Every = Literal["daily", "weekly", "monthly", "quarterly"]


@dataclasses.dataclass(frozen=True)
class Schedule:
    name: str
    every: Every
    kind: str
    params: dict


@dataclasses.dataclass(frozen=True)
class Period:
    key: str
    start: dt.date
    end: dt.date

    def as_params(self) -> dict:
        return {"key": self.key, "start": self.start.isoformat(), "end": self.end.isoformat()}


_SCHEDULES: dict[str, Schedule] = {}
_ON_TICK: dict[str, Callable[[], Job | None]] = {}


def schedule_register(name: str, *, every: Every, kind: str, params: dict | None = None) -> Schedule:
    if every not in ("daily", "weekly", "monthly", "quarterly"):
        raise ValueError(f"unknown period {every!r}")
    schedule = Schedule(name=name, every=every, kind=kind, params=dict(params or {}))
    _SCHEDULES[name] = schedule
    return schedule


def schedule_on_tick(name: str, check: Callable[[], Job | None]) -> None:
    """Run ``check`` at every tick (each ``--every`` seconds of ``run_schedule --loop``): for work that follows
    changes rather than the calendar — it starts a job when there is something to do and returns it."""
    _ON_TICK[name] = check


def schedules() -> list[Schedule]:
    return sorted(_SCHEDULES.values(), key=lambda s: s.name)


def period_containing(day: dt.date, every: Every) -> Period:
    """The day, ISO week (Monday to Sunday), month or quarter that contains ``day``."""
    if every == "daily":
        return Period(day.isoformat(), day, day)
    if every == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        year, week, _ = start.isocalendar()
        return Period(f"{year}-W{week:02d}", start, start + dt.timedelta(days=6))
    if every == "monthly":
        start = day.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
        return Period(f"{day:%Y-%m}", start, following - dt.timedelta(days=1))
    quarter = (day.month - 1) // 3
    start = dt.date(day.year, quarter * 3 + 1, 1)
    following = dt.date(day.year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1)
    return Period(f"{day.year}-Q{quarter + 1}", start, following - dt.timedelta(days=1))


def period_previous(period: Period, every: Every) -> Period:
    return period_containing(period.start - dt.timedelta(days=1), every)


def schedule_tick(*, today: dt.date | None = None) -> list[Job]:
    """Start every schedule not yet run in its current period; returns the jobs started."""
    today = today or timezone.localdate()
    started: list[Job] = []
    for schedule in schedules():
        current = period_containing(today, schedule.every)
        previous = period_previous(current, schedule.every)
        try:
            with transaction.atomic():
                run = ScheduleRun.objects.create(name=schedule.name, period=current.key)
                job = job_start(kind=schedule.kind, params={**schedule.params, "schedule": schedule.name,
                                                            "period": previous.as_params()})
                run.job = job
                run.save(update_fields=["job"])
        except IntegrityError:
            continue  # this period already ran
        log.info("schedule %s: started job %s for %s", schedule.name, job.pk, previous.key)
        started.append(job)
    for name, check in sorted(_ON_TICK.items()):
        try:
            job = check()
        except Exception:
            log.exception("tick check %s failed", name)
            continue
        if job is not None:
            job.params.setdefault("schedule", name)
            started.append(job)
    return started
