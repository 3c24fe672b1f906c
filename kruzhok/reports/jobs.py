"""Background jobs of the reports app and its schedules (registered by ``ReportsConfig.ready``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from kruzhok.core.jobs import Progress, job_handler
from kruzhok.core.models import Job
from kruzhok.core.schedule import schedule_register
from kruzhok.reports.models import GeneratedReport
from kruzhok.reports.services import report_generate, report_scheduled_run


@job_handler("reports.generate")
def _generate(job: Job, progress: Progress) -> dict:
    report = GeneratedReport.objects.select_related("region", "municipality", "organization").get(
        pk=job.params["report"])
    report_generate(report=report, progress=progress)
    return {"report": report.pk, "url": reverse("reports:detail", args=[report.pk])}


@job_handler("reports.scheduled")
def _scheduled(job: Job, progress: Progress) -> dict:
    period = job.params["period"]
    made = report_scheduled_run(template=job.params["template"], start=dt.date.fromisoformat(period["start"]),
                                end=dt.date.fromisoformat(period["end"]), schedule=job.params.get("schedule", ""),
                                job=job, languages=job.params.get("languages"), progress=progress)
    return {"reports": [r.pk for r in made], "url": reverse("reports:index")}


def schedules_register() -> None:
    """Weekly monitoring every Monday (for the week before), the municipal report every month, the regional table
    every quarter: generated for every territory and left in the archive."""
    schedule_register("reports.weekly", every="weekly", kind="reports.scheduled", params={"template": "weekly"})
    schedule_register("reports.monthly", every="monthly", kind="reports.scheduled", params={"template": "municipal"})
    schedule_register("reports.quarterly", every="quarterly", kind="reports.scheduled",
                      params={"template": "regional"})
