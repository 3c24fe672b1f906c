"""Background jobs of the monitoring app: the refresh of the precomputed coverage cells.

``monitoring.refresh`` params: ``on`` (ISO date, default today), ``changed`` (only the municipalities whose
children or enrollments changed since the last refresh), ``municipalities`` (ids), ``years`` (also the same
day of that many previous years, for the trend; full refresh only).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.core.jobs import Progress, job_handler
from kruzhok.core.models import Job
from kruzhok.monitoring.aggregates import aggregates_refresh, aggregates_refresh_changed
from kruzhok.monitoring.selectors import years_before


@job_handler("monitoring.refresh")
def refresh(job: Job, progress: Progress) -> dict:
    params = job.params or {}
    on = dt.date.fromisoformat(params["on"]) if params.get("on") else timezone.localdate()
    if params.get("changed"):
        progress(0, total=1, message=_("Пересчёт изменившихся муниципалитетов"), force=True)
        result = aggregates_refresh_changed(on=on)
        progress(1, total=1, force=True)
        return result
    days = [years_before(on, back) for back in range(int(params.get("years", 0)), -1, -1)]
    results = []
    for done, day in enumerate(days):
        progress(done, total=len(days), message=_("Пересчёт охвата на %(day)s") % {"day": day.strftime("%d.%m.%Y")},
                 force=True)
        results.append(aggregates_refresh(on=day, municipality_ids=params.get("municipalities")))
    progress(len(days), total=len(days), force=True)
    return {"snapshots": results}
