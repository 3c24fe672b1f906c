"""Bulk writes of enrollments (one statement, many rows, several groups) keep ``Group.enrolled_count`` exact.

On PostgreSQL the counter is kept per statement (migration 0007: transition tables, one update per group in
group order); on SQLite per row. Either way, after any statement the counter equals the active enrollments, and a
statement that would overbook a group is refused as a whole.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.enrollment.models import Enrollment, EnrollmentStatus

START = dt.date(2025, 9, 1)

pytestmark = pytest.mark.django_db


def counts(*groups: Group) -> list[tuple[int, int]]:
    """(counter, active enrollments) of each group."""
    out = []
    for group in groups:
        group.refresh_from_db()
        out.append((group.enrolled_count,
                    Enrollment.objects.filter(group=group, status=EnrollmentStatus.ACTIVE).count()))
    return out


def new(group: Group, n: int, status: str = EnrollmentStatus.ACTIVE) -> list[Enrollment]:
    return [Enrollment(child=f.ChildFactory(), group=group, start_date=START, status=status,
                       end_date=None if status == EnrollmentStatus.ACTIVE else START) for _ in range(n)]


def test_one_statement_over_several_groups_counts_each_group():
    a, b, c = (f.GroupFactory(capacity=10) for _ in range(3))
    Enrollment.objects.bulk_create([*new(b, 3), *new(a, 2), *new(c, 1, EnrollmentStatus.COMPLETED), *new(b, 1)])
    assert counts(a, b, c) == [(2, 2), (4, 4), (0, 0)]

    # status changes in one UPDATE: some leave, an ended one comes back
    leaving = list(Enrollment.objects.filter(group=b).values_list("pk", flat=True)[:2])
    Enrollment.objects.filter(pk__in=leaving).update(status=EnrollmentStatus.EXPELLED, end_date=START)
    Enrollment.objects.filter(group=c).update(status=EnrollmentStatus.ACTIVE, end_date=None)
    assert counts(a, b, c) == [(2, 2), (2, 2), (1, 1)]

    # a move between groups in one UPDATE: -1 where it was, +1 where it goes
    moving = Enrollment.objects.filter(group=a).values_list("pk", flat=True)[:1].get()
    Enrollment.objects.filter(pk=moving).update(group=c)
    assert counts(a, b, c) == [(1, 1), (2, 2), (2, 2)]

    # an update that changes neither status nor group leaves the counters alone
    Enrollment.objects.all().update(order_number="П-1")
    assert counts(a, b, c) == [(1, 1), (2, 2), (2, 2)]

    Enrollment.objects.filter(group__in=[a, c]).delete()
    assert counts(a, b, c) == [(0, 0), (2, 2), (0, 0)]


def test_a_statement_that_overbooks_one_group_is_refused_whole():
    roomy, small = f.GroupFactory(capacity=10), f.GroupFactory(capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.bulk_create([*new(roomy, 3), *new(small, 3)])
    assert counts(roomy, small) == [(0, 0), (0, 0)]
    Enrollment.objects.bulk_create([*new(roomy, 3), *new(small, 2)])
    assert counts(roomy, small) == [(3, 3), (2, 2)]

    # moving everyone of the roomy group into the full one: refused, nothing moves
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.filter(group=roomy).update(group=small)
    assert counts(roomy, small) == [(3, 3), (2, 2)]
