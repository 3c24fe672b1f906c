"""The pages' queue positions (one query for a whole page) agree with ``application_queue_position``, in a
plain queue and in a lottery group with ranked, unranked and not yet drawn applications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.enrollment.models import Application, ApplicationStatus
from kruzhok.enrollment.selectors import (
    application_queue_position,
    application_queue_positions,
    applications_with_positions,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def test_positions_agree_with_the_selector_in_one_query():
    now = timezone.now()
    opens, window_ends = now - dt.timedelta(days=3), now - dt.timedelta(days=2)
    plain = f.GroupFactory(capacity=1)
    lottery = f.GroupFactory(capacity=1, allocation=Group.Allocation.LOTTERY, enrollment_opens_at=opens,
                             lottery_window_ends_at=window_ends)
    same_moment = now - dt.timedelta(hours=5)
    rows = [
        # plain queue: receive time, then id on a tie
        (plain, S.WAITLISTED, None, now - dt.timedelta(hours=9)),
        (plain, S.WAITLISTED, None, same_moment),
        (plain, S.WAITLISTED, None, same_moment),
        (plain, S.INVITED, None, now - dt.timedelta(hours=10)),
        # lottery: drawn ranks first, then the undrawn of the window, then those received after it
        (lottery, S.WAITLISTED, 2, opens + dt.timedelta(minutes=1)),
        (lottery, S.WAITLISTED, 1, opens + dt.timedelta(minutes=2)),
        (lottery, S.SUBMITTED, None, opens + dt.timedelta(minutes=3)),
        (lottery, S.WAITLISTED, None, now - dt.timedelta(hours=1)),
        (lottery, S.WAITLISTED, None, now - dt.timedelta(hours=2)),
    ]
    applications = [f.ApplicationFactory(group=group, status=status, lottery_rank=rank, submitted_at=at)
                    for group, status, rank, at in rows]
    loaded = list(Application.objects.select_related("group").filter(pk__in=[a.pk for a in applications]))
    with CaptureQueriesContext(connection) as captured:
        positions = application_queue_positions(loaded)
    assert len(captured) == 1
    expected = {a.pk: application_queue_position(application=a) for a in loaded}
    assert {pk: p for pk, p in expected.items() if p is not None} == positions
    by_row = [positions.get(a.pk) for a in applications]
    assert by_row == [1, 2, 3, None, 2, 1, None, 5, 4]


def test_positions_of_a_subset_count_the_whole_queue():
    # A page may list only some of a group's waiting applications (one family's): each still counts
    # everybody ahead of it in the group, not only the applications on the page.
    group = f.GroupFactory(capacity=1)
    now = timezone.now()
    waiting = [f.ApplicationFactory(group=group, status=S.WAITLISTED, submitted_at=now - dt.timedelta(hours=h))
               for h in (4, 3, 2)]
    last = Application.objects.select_related("group").get(pk=waiting[-1].pk)
    assert applications_with_positions([last])[0].queue_position == 3
    assert application_queue_positions([last]) == {last.pk: 3}
