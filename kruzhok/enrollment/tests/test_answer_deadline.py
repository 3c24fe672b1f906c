"""Every application gets the date by which the organization must answer: 7 working days after it was
received by default, or the organization's own number of working days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.enrollment.models import Application, ApplicationStatus
from kruzhok.enrollment.services import application_submit
from kruzhok.enrollment.tests.clock import clock_fixture  # noqa: F401  (the `clock` fixture)

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Yekaterinburg")  # TIME_ZONE
FRIDAY = dt.datetime(2025, 8, 29, 16, 30, tzinfo=LOCAL)


def due(application: Application) -> dt.datetime:
    return Application.objects.get(pk=application.pk).answer_due_at.astimezone(LOCAL)


def test_seven_working_days_by_default(clock):
    clock.set(FRIDAY)
    group = f.GroupFactory(capacity=1)
    assert group.programme.organization.answer_deadline_days == 7
    invited = application_submit(child=f.ChildFactory(), group=group, actor=None)
    waiting = application_submit(child=f.ChildFactory(), group=group, actor=None)
    assert (invited.status, waiting.status) == (ApplicationStatus.INVITED, ApplicationStatus.WAITLISTED)
    # Friday 16:30 → Tuesday after next, 16:30 (to the millisecond the clock moved on).
    assert due(invited).replace(microsecond=0) == dt.datetime(2025, 9, 9, 16, 30, tzinfo=LOCAL)
    assert due(invited) - invited.submitted_at.astimezone(LOCAL) == dt.timedelta(days=11)
    assert due(waiting) - waiting.submitted_at.astimezone(LOCAL) == dt.timedelta(days=11)


@pytest.mark.parametrize(("days", "expected"), [(3, dt.date(2025, 9, 3)), (10, dt.date(2025, 9, 12)),
                                                (1, dt.date(2025, 9, 1))])
def test_the_organization_sets_its_own_deadline(clock, days, expected):
    clock.set(FRIDAY)
    organization = f.OrganizationFactory(answer_deadline_days=days)
    group = f.GroupFactory(programme=f.ProgrammeFactory(organization=organization))
    assert due(application_submit(child=f.ChildFactory(), group=group, actor=None)).date() == expected


def test_a_weekend_application_counts_from_monday(clock):
    clock.set(dt.datetime(2025, 8, 30, 2, 0, tzinfo=LOCAL))  # Saturday night (Friday in UTC)
    application = application_submit(child=f.ChildFactory(), group=f.GroupFactory(), actor=None)
    assert due(application).date() == dt.date(2025, 9, 9)


def test_the_deadline_is_read_fresh_not_from_a_stale_copy(clock):
    """The service reads the organization's deadline with the seats, whatever the caller loaded."""
    clock.set(FRIDAY)
    group = f.GroupFactory()
    stale = Group.objects.select_related("programme__organization").get(pk=group.pk)
    type(stale.programme.organization).objects.filter(pk=stale.programme.organization_id).update(
        answer_deadline_days=2)
    application = application_submit(child=f.ChildFactory(), group=stale, actor=None)
    assert due(application).date() == dt.date(2025, 9, 2)
