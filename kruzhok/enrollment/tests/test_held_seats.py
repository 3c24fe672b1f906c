"""An invited application holds a seat: ``Group.held_count`` is kept by database triggers, equals the group's
invited applications after any write, and ``enrolled + held <= capacity`` is refused past the seats.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.enrollment.models import Application, ApplicationStatus, Enrollment, EnrollmentStatus

pytestmark = pytest.mark.django_db

S = ApplicationStatus
START = dt.date(2025, 9, 1)


def counters(group: Group) -> tuple[int, int]:
    """(enrolled, held), checked against the rows they count."""
    group.refresh_from_db()
    invited = Application.objects.filter(group=group, status=S.INVITED).count()
    active = Enrollment.objects.filter(group=group, status=EnrollmentStatus.ACTIVE).count()
    assert (group.enrolled_count, group.held_count) == (active, invited)
    assert active + invited <= group.capacity
    return active, invited


def test_inviting_holds_and_leaving_the_invitation_frees():
    group = f.GroupFactory(capacity=3)
    application = f.ApplicationFactory(group=group, status=S.WAITLISTED)
    assert counters(group) == (0, 0)
    Application.objects.filter(pk=application.pk).update(status=S.INVITED)
    assert counters(group) == (0, 1)
    f.ApplicationFactory(group=group, status=S.INVITED)
    assert counters(group) == (0, 2)
    for status in (S.ENROLLED, S.WITHDRAWN, S.EXPIRED):
        Application.objects.filter(pk=application.pk).update(status=status)
        assert counters(group) == (0, 1)
        Application.objects.filter(pk=application.pk).update(status=S.INVITED)
        assert counters(group) == (0, 2)
    Application.objects.filter(group=group).delete()
    assert counters(group) == (0, 0)


def test_a_held_seat_is_not_free_for_an_enrollment_or_another_invitation():
    group = f.GroupFactory(capacity=2)
    f.EnrollmentFactory(group=group)
    f.ApplicationFactory(group=group, status=S.INVITED)
    with pytest.raises(IntegrityError, match="group_seats_not_oversold"), transaction.atomic():
        f.ApplicationFactory(group=group, status=S.INVITED)
    with pytest.raises(IntegrityError, match="group_seats_not_oversold"), transaction.atomic():
        f.EnrollmentFactory(group=group)
    waiting = f.ApplicationFactory(group=group, status=S.WAITLISTED)
    with pytest.raises(IntegrityError, match="group_seats_not_oversold"), transaction.atomic():
        Application.objects.filter(pk=waiting.pk).update(status=S.INVITED)
    assert counters(group) == (1, 1)


def test_moving_an_invitation_moves_its_seat():
    full, other = f.GroupFactory(capacity=1), f.GroupFactory(capacity=1)
    invited = f.ApplicationFactory(group=full, status=S.INVITED)
    Application.objects.filter(pk=invited.pk).update(group=other)
    assert (counters(full), counters(other)) == ((0, 0), (0, 1))
    f.ApplicationFactory(group=full, status=S.INVITED)
    with pytest.raises(IntegrityError, match="group_seats_not_oversold"), transaction.atomic():
        Application.objects.filter(pk=invited.pk).update(group=full)
    assert (counters(full), counters(other)) == ((0, 1), (0, 1))


def test_lowering_capacity_below_the_taken_seats_is_refused():
    group = f.GroupFactory(capacity=3)
    f.EnrollmentFactory(group=group)
    f.ApplicationFactory(group=group, status=S.INVITED)
    with pytest.raises(IntegrityError, match="group_seats_not_oversold"), transaction.atomic():
        Group.objects.filter(pk=group.pk).update(capacity=1)
    Group.objects.filter(pk=group.pk).update(capacity=2)
    assert counters(group) == (1, 1)


def test_the_counter_cannot_be_written_directly():
    group = f.GroupFactory(capacity=2)
    f.ApplicationFactory(group=group, status=S.INVITED)
    Group.objects.filter(pk=group.pk).update(held_count=0)  # would free a held seat
    assert counters(group) == (0, 1)
    stale = Group.objects.get(pk=group.pk)
    f.ApplicationFactory(group=group, status=S.INVITED)
    stale.name = "Переименована"
    stale.save()  # a form saving every field back leaves the counters alone
    assert counters(group) == (0, 2)
    created = Group.objects.create(programme=group.programme, name="Новая", capacity=3, held_count=2,
                                   age_from=7, age_to=14, period_start=START, period_end=dt.date(2026, 5, 31))
    assert counters(created) == (0, 0)
