"""Scheduled reports: each schedule runs once per period, and its reports wait in the archive."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from kruzhok.core.models import Job, ScheduleRun
from kruzhok.core.schedule import period_containing, schedule_tick, schedules
from kruzhok.reports.models import GeneratedReport

MONDAY = dt.date(2025, 10, 13)


def test_periods():
    assert period_containing(dt.date(2025, 10, 15), "weekly").start == MONDAY
    assert period_containing(dt.date(2025, 10, 15), "weekly").key == "2025-W42"
    assert period_containing(dt.date(2025, 2, 10), "monthly").end == dt.date(2025, 2, 28)
    quarter = period_containing(dt.date(2025, 11, 30), "quarterly")
    assert (quarter.key, quarter.start, quarter.end) == ("2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_reports_schedules_are_registered():
    assert {(s.name, s.every) for s in schedules()} >= {
        ("reports.weekly", "weekly"), ("reports.monthly", "monthly"), ("reports.quarterly", "quarterly")}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_scheduled_reports_run_once_per_period_and_wait_in_the_archive(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    jobs = schedule_tick(today=MONDAY)
    ours = [j for j in jobs if j.kind == "reports.scheduled"]
    assert {j.params["template"] for j in ours} == {"weekly", "municipal", "regional"}
    for job in ours:
        job.refresh_from_db()
        assert job.status == Job.Status.DONE, job.error
    weekly = GeneratedReport.objects.filter(schedule="reports.weekly")
    assert weekly.count() == 3  # A1, A2, B1
    assert {(r.period_start, r.period_end) for r in weekly} == {(dt.date(2025, 10, 6), dt.date(2025, 10, 12))}
    assert all(r.docx and r.pdf and r.xlsx and r.author is None for r in weekly)
    assert GeneratedReport.objects.filter(schedule="reports.monthly", period_start=dt.date(2025, 9, 1)).count() == 3
    assert GeneratedReport.objects.filter(schedule="reports.quarterly", period_start=dt.date(2025, 7, 1)).count() == 2

    # The same week again (another tick, another day of it, through the command): nothing new.
    before = GeneratedReport.objects.count()
    call_command("run_schedule", today=MONDAY + dt.timedelta(days=2), verbosity=0)
    assert GeneratedReport.objects.count() == before
    assert ScheduleRun.objects.filter(name="reports.weekly", period="2025-W42").count() == 1
    # The next week: the weekly report only.
    next_week = [j.params["template"] for j in schedule_tick(today=MONDAY + dt.timedelta(days=7))
                 if j.kind == "reports.scheduled"]
    assert next_week == ["weekly"]
    assert GeneratedReport.objects.filter(schedule="reports.weekly", period_start=MONDAY).count() == 3
