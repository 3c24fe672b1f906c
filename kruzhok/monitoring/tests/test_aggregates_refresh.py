"""The aggregates refresh: as a background job, on the schedule, and after a change (only what changed)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kruzhok import factories as f
from kruzhok.core.jobs import job_start
from kruzhok.core.models import Job
from kruzhok.core.schedule import schedules
from kruzhok.enrollment.models import Enrollment, EnrollmentStatus
from kruzhok.monitoring import selectors as sel
from kruzhok.monitoring.aggregates import aggregates_refresh, aggregates_refresh_changed, aggregates_status
from kruzhok.monitoring.models import CoverageAggregate, CoverageSnapshot
from kruzhok.people.models import Child

ON = dt.date(2025, 10, 15)


def test_refresh_job_computes_the_day_and_previous_years(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="monitoring.refresh", params={"on": ON.isoformat(), "years": 1}, actor=None)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert set(CoverageSnapshot.objects.values_list("on", flat=True)) == {ON, dt.date(2024, 10, 15)}
    assert aggregates_status(on=ON) is not None
    fl = sel.MonitoringFilter(on=ON, age_from=0)
    live, agg = sel.coverage_summary(f=fl), sel.coverage_summary(f=fl, source="aggregates")
    assert (agg.source, agg.children, agg.enrollments) == ("aggregates", live.children, live.enrollments)
    assert agg.computed_at <= timezone.now()


def test_daily_schedule_is_registered():
    daily = [s for s in schedules() if s.kind == "monitoring.refresh"]
    assert daily and daily[0].every == "daily"


def test_aggregates_fall_back_to_live_for_a_day_without_snapshot(world):
    cover = sel.coverage_summary(f=sel.MonitoringFilter(on=ON, age_from=0), source="aggregates")
    assert cover.source == "live" and cover.children == 3


def test_refresh_after_a_change_touches_only_the_changed_municipality(world):
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Enrollment.objects.update(updated_at=an_hour_ago)
    Child.objects.update(updated_at=an_hour_ago)
    aggregates_refresh(on=ON)
    fl = sel.MonitoringFilter(on=ON, territory=world.a1, age_from=0)
    before = sel.coverage_summary(f=fl, source="aggregates")
    a2_cells = set(CoverageAggregate.objects.filter(municipality=world.a2).values_list("pk", flat=True))
    # a new A1 pupil, and the existing one leaves the day before the reference date
    f.EnrollmentFactory(child=world.unrelated_child, group=world.group)
    Enrollment.objects.filter(pk=world.enrollment.pk).update(status=EnrollmentStatus.EXPELLED,
                                                             end_date=ON - dt.timedelta(days=1),
                                                             updated_at=timezone.now())
    result = aggregates_refresh_changed(on=ON)
    assert result["municipalities"] == 1
    after = sel.coverage_summary(f=fl, source="aggregates")
    assert (before.children, after.children) == (1, 1)
    assert set(sel.coverage_children(f=fl)) == {world.unrelated_child}
    assert set(CoverageAggregate.objects.filter(municipality=world.a2).values_list("pk", flat=True)) == a2_cells
    assert after.enrollments == sel.coverage_summary(f=fl).enrollments == 1


def test_management_command_refreshes_once(world, capsys):
    from django.core.management import call_command

    call_command("monitoring_refresh", "--on", ON.isoformat())
    assert aggregates_status(on=ON) is not None
    call_command("monitoring_refresh", "--on", ON.isoformat(), "--changed")
    assert '"on": "2025-10-15"' in capsys.readouterr().out


def test_a_scheduler_tick_follows_a_change_of_an_enrollment(world, django_capture_on_commit_callbacks):
    """The cells of today are recomputed at the next tick after an enrollment starts; a tick with no change, or
    before any cells exist, starts nothing."""
    from kruzhok.core.schedule import schedule_tick

    today = timezone.localdate()
    fl = sel.MonitoringFilter(on=today, age_from=0)
    assert aggregates_follow_changes_job() is None  # no cells for today yet: the nightly refresh does it
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Child.objects.update(updated_at=long_ago)
    Enrollment.objects.update(updated_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        nightly = schedule_tick(today=today)  # the first tick of the day: the full refresh
    assert [job.params.get("changed") for job in nightly if job.kind == "monitoring.refresh"] == [None]
    assert aggregates_follow_changes_job() is None  # nothing changed since
    before = sel.coverage_summary(f=fl, source="aggregates").enrollments
    f.EnrollmentFactory(child=world.far_child, group=world.group, start_date=today)
    with django_capture_on_commit_callbacks(execute=True):
        started = [job for job in schedule_tick(today=today) if job.kind == "monitoring.refresh"
                   and job.params.get("changed")]
    assert len(started) == 1
    started[0].refresh_from_db()
    assert started[0].status == Job.Status.DONE, started[0].error
    assert sel.coverage_summary(f=fl, source="aggregates").enrollments == before + 1
    assert sel.coverage_summary(f=fl, source="aggregates").enrollments == sel.coverage_summary(f=fl).enrollments


def aggregates_follow_changes_job():
    from kruzhok.monitoring.aggregates import aggregates_follow_changes

    return aggregates_follow_changes()
