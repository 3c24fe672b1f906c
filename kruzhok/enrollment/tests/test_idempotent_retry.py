"""Applying is idempotent: a request retried with the same key makes one application and one history row,
whether the retry comes after the first answer or races it; a key never answers with another child's
application."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.core.errors import DomainError
from kruzhok.core.testing import run_together
from kruzhok.enrollment.models import Application, ApplicationStatus, ApplicationStatusChange
from kruzhok.enrollment.services import application_submit

S = ApplicationStatus
race = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.django_db
@pytest.mark.parametrize("seat_free", [True, False])
def test_a_retry_returns_the_first_application(seat_free):
    group = f.GroupFactory(capacity=1)
    if not seat_free:
        application_submit(child=f.ChildFactory(), group=group, actor=None)  # the seat is taken: waitlisted
    child, actor = f.ChildFactory(), f.UserFactory(password=None)
    first = application_submit(child=child, group=group, actor=actor, idempotency_key="k-1")
    again = application_submit(child=child, group=group, actor=actor, idempotency_key="k-1")
    assert again.pk == first.pk
    assert again.status == first.status == (S.INVITED if seat_free else S.WAITLISTED)
    assert Application.objects.filter(child=child).count() == 1
    assert ApplicationStatusChange.objects.filter(application__child=child).count() == 1
    group.refresh_from_db()
    assert group.held_count == 1


@pytest.mark.django_db
def test_a_retry_after_the_window_closed_still_gets_its_answer():
    child, group = f.ChildFactory(), f.GroupFactory(enrollment_closes_at=timezone.now() + dt.timedelta(hours=1))
    first = application_submit(child=child, group=group, actor=None, idempotency_key="k-2")
    group.enrollment_closes_at = timezone.now() - dt.timedelta(seconds=1)
    assert application_submit(child=child, group=group, actor=None, idempotency_key="k-2").pk == first.pk
    with pytest.raises(DomainError) as info:
        application_submit(child=child, group=group, actor=None, idempotency_key="k-3")
    assert info.value.code == "cannot_apply"


@pytest.mark.django_db
def test_a_key_never_answers_with_another_childs_application():
    group = f.GroupFactory()
    first = application_submit(child=f.ChildFactory(), group=group, actor=None, idempotency_key="k-4")
    stranger = f.ChildFactory()
    for other_group in (group, f.GroupFactory()):
        with pytest.raises(DomainError) as info:
            application_submit(child=stranger, group=other_group, actor=None, idempotency_key="k-4")
        assert info.value.code == "idempotency_key_reused"
    assert not Application.objects.filter(child=stranger).exists()
    assert Application.objects.get(idempotency_key="k-4").pk == first.pk


@pytest.mark.django_db
def test_without_a_key_a_second_submission_is_refused_not_duplicated():
    child, group = f.ChildFactory(), f.GroupFactory()
    application_submit(child=child, group=group, actor=None)
    with pytest.raises(DomainError) as info:
        application_submit(child=child, group=group, actor=None)
    assert info.value.code == "application_one_open_per_group"
    assert Application.objects.filter(child=child).count() == 1


@race
def test_a_key_retried_concurrently_still_makes_one_application():
    child, group = f.ChildFactory(), f.GroupFactory(capacity=1)
    results = run_together(4, lambda i: application_submit(child=child, group=group, actor=None,
                                                              idempotency_key="retry-42"))
    assert all(isinstance(r, Application) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Application.objects.filter(child=child, group=group).count() == 1
    assert ApplicationStatusChange.objects.filter(application__child=child).count() == 1
    group.refresh_from_db()
    assert group.held_count == 1


@race
@pytest.mark.postgres
def test_many_families_each_retrying_at_once_make_one_application_each():
    """Eight children, each submitted by three racing requests with its own key, into a 3-seat group."""
    group = f.GroupFactory(capacity=3)
    children = [f.ChildFactory() for _ in range(8)]
    results = run_together(24, lambda i: application_submit(child=children[i % 8], group=group, actor=None,
                                                               idempotency_key=f"family-{i % 8}"))
    assert all(isinstance(r, Application) for r in results), [r for r in results if not isinstance(r, Application)]
    for index, child in enumerate(children):
        answers = {r.pk for r in results[index::8]}
        stored = Application.objects.filter(child=child, group=group)
        assert answers == set(stored.values_list("pk", flat=True)) and len(answers) == 1
        assert ApplicationStatusChange.objects.filter(application__child=child).count() == 1
    statuses = sorted(Application.objects.filter(group=group).values_list("status", flat=True))
    assert statuses == [S.INVITED] * 3 + [S.WAITLISTED] * 5
    group.refresh_from_db()
    assert group.held_count == 3
