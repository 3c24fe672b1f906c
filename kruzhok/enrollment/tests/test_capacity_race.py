"""Enrollments racing for the last seats: exactly ``capacity`` of them win, on SQLite and on PostgreSQL.

Each thread uses its own database connection (Django keeps one per thread) and closes it when done; a
barrier releases the threads together. The tests are transactional: the rows must really commit.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.core.db import constraint_for
from kruzhok.core.errors import CapacityError, DomainError
from kruzhok.core.testing import run_together
from kruzhok.enrollment.models import Enrollment, EnrollmentStatus
from kruzhok.enrollment.services import enrollment_create

START = dt.date(2025, 9, 1)

# Transactional tests flush the database afterwards; serialized_rollback restores the dictionaries
# (directions, reject reasons) that migrations load, for this test and the ones after it.
race = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def assert_filled(group: Group, results: list[Any], refusal: type[Exception]) -> list[Enrollment]:
    winners = [r for r in results if isinstance(r, Enrollment)]
    losers = [r for r in results if not isinstance(r, Enrollment)]
    assert all(isinstance(r, refusal) for r in losers), losers
    assert len(winners) == group.capacity
    assert len(losers) == len(results) - group.capacity
    group.refresh_from_db()
    rows = Enrollment.objects.filter(group=group, status=EnrollmentStatus.ACTIVE)
    assert group.enrolled_count == rows.count() == group.capacity
    assert set(rows.values_list("pk", flat=True)) == {w.pk for w in winners}
    return winners


def enroll_by_service(group: Group, children: list) -> Callable[[int], Enrollment]:
    actor = f.UserFactory(password=None)
    return lambda i: enrollment_create(child=children[i], group=group, start_date=START, actor=actor)


# --- both databases ---------------------------------------------------------------------------------


@race
def test_many_service_calls_race_for_three_seats():
    group = f.GroupFactory(capacity=3)
    children = [f.ChildFactory() for _ in range(8)]
    results = run_together(8, enroll_by_service(group, children))
    losers = [r for r in results if isinstance(r, CapacityError)]
    assert {str(r.messages[0]) for r in losers} <= {
        f"В группе «{group.name}» нет свободных мест.",  # refused up front
        "В группе нет свободных мест.",  # refused by the database
    }
    assert_filled(group, results, CapacityError)


@race
def test_many_direct_inserts_race_for_three_seats():
    group = f.GroupFactory(capacity=3)
    children = [f.ChildFactory() for _ in range(8)]
    results = run_together(8, lambda i: Enrollment.objects.create(child=children[i], group=group, start_date=START))
    assert_filled(group, results, IntegrityError)
    assert {constraint_for(r).name for r in results if isinstance(r, IntegrityError)} == {"group_not_overbooked"}


# --- PostgreSQL: row locks under READ COMMITTED --------------------------------------------------------


@race
@pytest.mark.postgres
def test_two_service_calls_race_for_the_last_seat():
    group = f.GroupFactory(capacity=1)
    children = [f.ChildFactory(), f.ChildFactory()]
    results = run_together(2, enroll_by_service(group, children))
    assert_filled(group, results, CapacityError)


@race
@pytest.mark.postgres
def test_eight_service_calls_race_for_three_seats():
    group = f.GroupFactory(capacity=3)
    f.EnrollmentFactory(group=group, status=EnrollmentStatus.COMPLETED, end_date=START)
    children = [f.ChildFactory() for _ in range(8)]
    results = run_together(8, enroll_by_service(group, children))
    assert_filled(group, results, CapacityError)


@race
@pytest.mark.postgres
def test_every_thread_saw_a_free_seat_and_still_only_capacity_got_in():
    # No pre-check can help here: all eight transactions read "seats free" before any of them inserts.
    group = f.GroupFactory(capacity=3)
    children = [f.ChildFactory() for _ in range(8)]
    barrier = threading.Barrier(8, timeout=30)
    seen: list[int] = []

    def work(index: int) -> Enrollment:
        with transaction.atomic():
            seen.append(Group.objects.get(pk=group.pk).enrolled_count)
            barrier.wait()
            return Enrollment.objects.create(child=children[index], group=group, start_date=START)

    results = run_together(8, work)
    assert seen == [0] * 8
    assert_filled(group, results, IntegrityError)
    assert {constraint_for(r).name for r in results if isinstance(r, IntegrityError)} == {"group_not_overbooked"}


@race
@pytest.mark.postgres
def test_the_same_child_twice_at_once_is_enrolled_once():
    group = f.GroupFactory(capacity=5)
    child = f.ChildFactory()
    results = run_together(4, enroll_by_service(group, [child] * 4))
    winners = [r for r in results if isinstance(r, Enrollment)]
    losers = [r for r in results if not isinstance(r, Enrollment)]
    assert len(winners) == 1
    assert all(type(r) is DomainError and r.code == "enrollment_one_active_per_group" for r in losers), losers
    assert {str(r.messages[0]) for r in losers} == {"Ребёнок уже зачислен в эту группу."}
    group.refresh_from_db()
    assert group.enrolled_count == Enrollment.objects.filter(group=group, child=child).count() == 1


def run_in_order(first: Callable[[], Any], second: Callable[[], Any]) -> list[Any]:
    """``first`` runs in a transaction, sets the event while still holding its locks, then commits;
    ``second`` starts once the event is set, so it has to wait for those locks."""
    holding = threading.Event()

    def work(index: int) -> Any:
        if index == 0:
            with transaction.atomic():
                result = first()
                holding.set()
                time.sleep(0.5)
            return result
        assert holding.wait(timeout=30)
        return second()

    return run_together(2, work)


@race
@pytest.mark.postgres
def test_a_stale_group_save_waiting_for_an_enrollment_keeps_the_counter():
    group = f.GroupFactory(capacity=2)
    child = f.ChildFactory()
    stale = Group.objects.get(pk=group.pk)
    stale.name = "Переименована"

    results = run_in_order(lambda: Enrollment.objects.create(child=child, group=group, start_date=START), stale.save)
    assert isinstance(results[0], Enrollment) and results[1] is None, results
    group.refresh_from_db()
    assert group.name == "Переименована"
    assert group.enrolled_count == Enrollment.objects.filter(group=group).count() == 1


@race
@pytest.mark.postgres
def test_an_enrollment_waiting_for_a_stale_group_save_still_counts():
    group = f.GroupFactory(capacity=2)
    child = f.ChildFactory()
    stale = Group.objects.get(pk=group.pk)
    stale.name = "Переименована"

    results = run_in_order(stale.save, lambda: Enrollment.objects.create(child=child, group=group, start_date=START))
    assert results[0] is None and isinstance(results[1], Enrollment), results
    group.refresh_from_db()
    assert group.name == "Переименована"
    assert group.enrolled_count == Enrollment.objects.filter(group=group).count() == 1
