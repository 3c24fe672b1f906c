"""Rosters per group with the waiting queue; expulsion and transfer free the seat and the queue moves up."""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok import factories as f
from kruzhok.core.models import AuditLog
from kruzhok.enrollment.models import Application, ApplicationStatus, Enrollment, EnrollmentStatus
from kruzhok.enrollment.services import application_enroll, application_submit

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def full_group(world):
    """Two seats, both enrolled with an order; three children waiting in receive order."""
    group = f.GroupFactory(programme=world.programme, capacity=2, name="Полная группа")
    children = [f.ChildFactory(municipality=world.a1, surname=f"Ученик{i}") for i in range(5)]
    applications = [application_submit(child=child, group=group, actor=None) for child in children]
    enrollments = [application_enroll(application=a, actor=None, start_date=dt.date(2026, 9, 1),
                                      order_number=f"{i}-у") for i, a in enumerate(applications[:2], start=1)]
    return group, enrollments, applications[2:]


def test_the_roster_shows_enrollments_and_the_queue_in_order(signed_in, full_group):
    group, enrollments, waiting = full_group
    response = signed_in.get(f"/inbox/groups/{group.pk}/")
    assert response.status_code == 200
    assert [e.pk for e in response.context["roster"]] == [e.pk for e in enrollments]
    assert [a.pk for a in response.context["queue"]] == [a.pk for a in waiting]
    assert [a.queue_position for a in response.context["queue"]] == [1, 2, 3]
    html = response.content.decode()
    assert "Мест: 2, зачислено: 2, приглашено: 0, свободно: 0." in html
    assert "1-у" in html and "2-у" in html
    assert "01.09.2026" in html


def test_the_groups_page_shows_seats_and_queue_length(signed_in, world, full_group):
    group, _enrollments, _waiting = full_group
    response = signed_in.get("/inbox/groups/")
    rows = {g.pk: g for g in response.context["page"].object_list}
    assert set(rows) == {world.group.pk, group.pk}
    assert (rows[group.pk].capacity, rows[group.pk].enrolled_count, rows[group.pk].seats_left,
            rows[group.pk].waiting) == (2, 2, 0, 3)


def test_expelling_frees_the_seat_and_invites_the_first_in_the_queue(signed_in, org_admin, full_group):
    group, enrollments, waiting = full_group
    response = signed_in.post(f"/inbox/enrollments/{enrollments[0].pk}/end/", {
        "status": "expelled", "end_date": "2026-11-20", "reason": "Пропуски без уважительной причины"}, follow=True)
    enrollments[0].refresh_from_db()
    assert (enrollments[0].status, enrollments[0].end_date, enrollments[0].end_reason) == (
        EnrollmentStatus.EXPELLED, dt.date(2026, 11, 20), "Пропуски без уважительной причины")
    statuses = [Application.objects.get(pk=a.pk).status for a in waiting]
    assert statuses == [S.INVITED, S.WAITLISTED, S.WAITLISTED]
    html = response.content.decode()
    assert f"Освободившееся место предложено следующему в очереди: {waiting[0].child}" in html
    assert [a.pk for a in response.context["invited"]] == [waiting[0].pk]
    assert [a.queue_position for a in response.context["queue"]] == [1, 2]
    assert AuditLog.objects.filter(action="enrollment.end", object_id=str(enrollments[0].pk), actor=org_admin).exists()


def test_expelling_needs_a_reason(signed_in, full_group):
    _group, enrollments, waiting = full_group
    response = signed_in.post(f"/inbox/enrollments/{enrollments[0].pk}/end/", {
        "status": "expelled", "end_date": "2026-11-20", "reason": ""}, follow=True)
    assert "Причина" in response.content.decode()
    enrollments[0].refresh_from_db()
    assert enrollments[0].status == EnrollmentStatus.ACTIVE
    assert Application.objects.get(pk=waiting[0].pk).status == S.WAITLISTED


def test_transfer_moves_the_child_and_the_old_seat_goes_to_the_queue(signed_in, world, full_group):
    group, enrollments, waiting = full_group
    response = signed_in.post(f"/inbox/enrollments/{enrollments[1].pk}/transfer/", {
        "to_group": world.group.pk, "on": "2026-11-23", "reason": "Смена расписания", "order_number": "40-у"})
    assert response["Location"] == f"/inbox/groups/{group.pk}/"
    old = Enrollment.objects.get(pk=enrollments[1].pk)
    new = Enrollment.objects.get(previous=old)
    assert (old.status, old.end_reason) == (EnrollmentStatus.TRANSFERRED, "Смена расписания")
    assert (new.group, new.child, new.status, new.order_number, new.start_date) == (
        world.group, old.child, EnrollmentStatus.ACTIVE, "40-у", dt.date(2026, 11, 23))
    assert Application.objects.get(pk=waiting[0].pk).status == S.INVITED


def test_transfer_into_a_full_group_is_refused_and_nothing_changes(signed_in, world, full_group):
    group, enrollments, _waiting = full_group
    other = f.GroupFactory(programme=world.programme, capacity=1)
    f.EnrollmentFactory(group=other, child=f.ChildFactory(municipality=world.a1))
    response = signed_in.post(f"/inbox/enrollments/{enrollments[0].pk}/transfer/", {
        "to_group": other.pk, "on": "2026-11-23", "reason": "Смена расписания"}, follow=True)
    assert "нет свободных мест" in response.content.decode()
    assert Enrollment.objects.get(pk=enrollments[0].pk).status == EnrollmentStatus.ACTIVE
    assert not Enrollment.objects.filter(group=other, child=enrollments[0].child).exists()
