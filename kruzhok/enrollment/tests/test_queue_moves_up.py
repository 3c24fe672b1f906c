"""When a seat frees, the waiting queue moves up in queue order: a withdrawn or expired invitation, a
refused one, an ended enrollment, or seats added to the group — nobody is left waiting beside a free seat."""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.enrollment.models import Application, ApplicationStatus, EnrollmentStatus, RejectReason
from kruzhok.enrollment.services import (
    application_enroll,
    application_submit,
    application_transition,
    enrollment_end,
    group_promote_waitlist,
    invitations_expire,
)

pytestmark = pytest.mark.django_db

S = ApplicationStatus


def statuses(applications: list[Application]) -> list[str]:
    found = dict(Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("pk", "status"))
    return [found[a.pk] for a in applications]


@pytest.fixture
def queue() -> tuple[Group, list[Application]]:
    """A 2-seat group: two invited, three waiting in receive order."""
    group = f.GroupFactory(capacity=2)
    applications = [application_submit(child=f.ChildFactory(), group=group, actor=None) for _ in range(5)]
    assert statuses(applications) == [S.INVITED] * 2 + [S.WAITLISTED] * 3
    return group, applications


@pytest.mark.parametrize("leaving", [S.WITHDRAWN, S.EXPIRED, S.REJECTED])
def test_an_invitation_that_ends_passes_its_seat_on(queue, leaving):
    _group, applications = queue
    reason = RejectReason.objects.first() if leaving == S.REJECTED else None
    application_transition(application=applications[0], to_status=leaving, actor=None, reject_reason=reason)
    assert statuses(applications) == [leaving, S.INVITED, S.INVITED, S.WAITLISTED, S.WAITLISTED]
    promoted = Application.objects.get(pk=applications[2].pk)
    assert promoted.history.last().note == "Освободилось место: приглашение по очереди."


def test_enrolling_keeps_the_seat_and_leaving_frees_it(queue):
    _group, applications = queue
    enrollment = application_enroll(application=applications[0], actor=None, start_date=dt.date(2025, 9, 1))
    assert statuses(applications) == [S.ENROLLED, S.INVITED] + [S.WAITLISTED] * 3
    enrollment_end(enrollment=enrollment, status=EnrollmentStatus.EXPELLED, end_date=dt.date(2025, 10, 1),
                   reason="по заявлению родителей", actor=None)
    assert statuses(applications) == [S.ENROLLED, S.INVITED, S.INVITED, S.WAITLISTED, S.WAITLISTED]


def test_stale_invitations_expire_and_their_seats_go_on(queue):
    _group, applications = queue
    Application.objects.filter(pk=applications[1].pk).update(
        status_changed_at=applications[1].status_changed_at - dt.timedelta(days=8))
    assert invitations_expire(older_than_days=7) == 1
    assert statuses(applications) == [S.INVITED, S.EXPIRED, S.INVITED, S.WAITLISTED, S.WAITLISTED]
    assert invitations_expire(older_than_days=7) == 0


def test_added_seats_go_to_the_queue_before_any_newcomer(queue):
    group, applications = queue
    group.capacity = 4
    group.save()  # as the group form does
    assert statuses(applications)[2:] == [S.WAITLISTED] * 3  # nothing moved yet…
    newcomer = application_submit(child=f.ChildFactory(), group=Group.objects.get(pk=group.pk), actor=None)
    # …the next application moves the queue first: the two seats go to the two who waited longest.
    assert statuses(applications + [newcomer]) == [S.INVITED] * 4 + [S.WAITLISTED] * 2
    group.capacity = 6
    group.save()
    assert [a.pk for a in group_promote_waitlist(group=group)] == [applications[4].pk, newcomer.pk]
    assert statuses(applications + [newcomer]) == [S.INVITED] * 6


def test_putting_someone_in_the_queue_beside_a_free_seat_invites_them():
    group = f.GroupFactory(capacity=1)
    reviewed = f.ApplicationFactory(group=group, status=S.UNDER_REVIEW)
    application_transition(application=reviewed, to_status=S.WAITLISTED, actor=None)
    assert statuses([reviewed]) == [S.INVITED]
    assert list(reviewed.history.values_list("from_status", "to_status")) == [
        (S.UNDER_REVIEW, S.WAITLISTED), (S.WAITLISTED, S.INVITED)]
