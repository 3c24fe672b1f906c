"""A whole town applies to one small group at the same moment.

Many threads, each with its own database connection, apply different children to one 5-seat group at
once. Exactly ``capacity`` are invited and the rest waitlisted; every thread got back an application
that is stored; the invited are exactly the earliest received, and the queue follows receive time. When
a seat frees, the first in the queue is invited. And with applications, withdrawals and enrollments
racing each other, the locks never deadlock and the seats stay sound.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.core.errors import DomainError
from kruzhok.core.testing import run_together
from kruzhok.enrollment.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Enrollment,
    EnrollmentStatus,
)
from kruzhok.enrollment.selectors import application_queue_position
from kruzhok.enrollment.services import (
    application_enroll,
    application_submit,
    application_withdraw,
    enrollment_end,
)

S = ApplicationStatus
race = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def apply_together(group: Group, children: list) -> list[Any]:
    """Each thread loads the group as a request would, waits at the barrier, then applies."""
    fresh: dict[int, Group] = {}

    def load(index: int) -> None:
        fresh[index] = Group.objects.get(pk=group.pk)

    return run_together(len(children), lambda i: application_submit(child=children[i], group=fresh[i], actor=None),
                        before=load)


def check_the_rush(applicants: int) -> None:
    group = f.GroupFactory(capacity=5)
    children = [f.ChildFactory() for _ in range(applicants)]
    results = apply_together(group, children)

    # Nothing lost: every thread was answered with an application that is stored, for its own child.
    assert all(isinstance(r, Application) for r in results), [r for r in results if not isinstance(r, Application)]
    stored = {a.pk: a for a in Application.objects.filter(group=group)}
    assert len(stored) == applicants
    assert {r.pk: r.child_id for r in results} == {pk: a.child_id for pk, a in stored.items()}
    assert {r.pk: r.status for r in results} == {pk: a.status for pk, a in stored.items()}
    assert ApplicationStatusChange.objects.filter(application__group=group).count() == applicants

    # Exactly the seats were given, to the earliest received.
    by_receipt = sorted(stored.values(), key=lambda a: (a.submitted_at, a.pk))
    assert [a.status for a in by_receipt] == [S.INVITED] * 5 + [S.WAITLISTED] * (applicants - 5)
    group.refresh_from_db()
    assert (group.held_count, group.enrolled_count) == (5, 0)

    # The queue follows receive time.
    waiting = by_receipt[5:]
    assert [application_queue_position(application=a) for a in waiting] == list(range(1, applicants - 5 + 1))

    # The invited enroll but one, who withdraws: the first in the queue gets the seat.
    invited = by_receipt[:5]
    enrollments = [application_enroll(application=a, actor=None, start_date=dt.date(2025, 9, 1))
                   for a in invited[:4]]
    application_withdraw(application=invited[4], actor=None)
    statuses = dict(Application.objects.filter(group=group).values_list("pk", "status"))
    assert [statuses[a.pk] for a in invited] == [S.ENROLLED] * 4 + [S.WITHDRAWN]
    assert [statuses[a.pk] for a in waiting] == [S.INVITED] + [S.WAITLISTED] * (applicants - 6)
    assert [application_queue_position(application=Application.objects.get(pk=a.pk)) for a in waiting[1:]] == \
        list(range(1, applicants - 6 + 1))

    # A pupil leaves: the next in the queue is invited.
    enrollment_end(enrollment=enrollments[0], status="completed", end_date=dt.date(2025, 12, 1), reason="",
                   actor=None)
    statuses = dict(Application.objects.filter(group=group).values_list("pk", "status"))
    assert [statuses[a.pk] for a in waiting] == [S.INVITED] * 2 + [S.WAITLISTED] * (applicants - 7)
    group.refresh_from_db()
    assert (group.enrolled_count, group.held_count) == (3, 2)


@race
@pytest.mark.postgres
def test_thirty_applicants_at_once_on_postgresql():
    check_the_rush(30)


@race
def test_twelve_applicants_at_once():
    """The same invariant on either database (on SQLite the writers queue at BEGIN IMMEDIATE)."""
    check_the_rush(12)


@race
def test_applying_leaving_and_enrolling_at_once_keeps_the_seats_sound():
    """Threads apply (some holding a stale copy that says "full"), withdraw invitations, enroll and end
    enrollments all at once: no deadlock, no refusal but the expected ones, and afterwards the counters
    match the rows, nobody is over capacity and nobody waits for a free seat."""
    group = f.GroupFactory(capacity=3)
    children = [f.ChildFactory() for _ in range(24)]

    def act(index: int) -> Any:
        kind = index % 4
        if kind in (0, 1):
            loaded = Group.objects.get(pk=group.pk)
            if kind == 1:
                loaded.held_count = loaded.capacity  # a copy loaded before the seats freed
            return application_submit(child=children[index], group=loaded, actor=None)
        invited = Application.objects.filter(group=group, status=S.INVITED).order_by("?").first()
        if kind == 2 and invited is not None:
            return application_withdraw(application=invited, actor=None)
        if invited is not None:
            return application_enroll(application=invited, actor=None, start_date=dt.date(2025, 9, 1))
        return None

    def rounds(index: int) -> Any:
        result = None
        for _round in range(1 if index % 4 in (0, 1) else 3):  # each child applies once
            result = act(index)  # a DomainError: another thread closed the same invitation first
        return result

    results = run_together(24, rounds)
    unexpected = [r for r in results if isinstance(r, Exception)
                  and not (isinstance(r, DomainError) and r.code == "bad_transition")]
    assert not unexpected, unexpected
    applied = [r for i, r in enumerate(results) if i % 4 in (0, 1)]
    assert all(isinstance(r, Application) for r in applied), applied
    group.refresh_from_db()
    invited = Application.objects.filter(group=group, status=S.INVITED).count()
    active = Enrollment.objects.filter(group=group, status=EnrollmentStatus.ACTIVE).count()
    assert (group.held_count, group.enrolled_count) == (invited, active)
    assert invited + active <= group.capacity
    if invited + active < group.capacity:
        assert not Application.objects.filter(group=group, status=S.WAITLISTED).exists()
    assert Application.objects.filter(group=group).count() == 12
