"""The organization's inbox: open applications with the time left to answer, bulk and single decisions,
acceptance with enrollment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.enrollment.models import Application, ApplicationStatus, Enrollment, RejectReason
from kruzhok.enrollment.services import application_submit

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def two_seats(world):
    """Two seats taken by invitations, two children waiting."""
    group = f.GroupFactory(programme=world.programme, capacity=2, name="Группа на два места")
    children = [f.ChildFactory(municipality=world.a1, surname=f"Очередев{i}") for i in range(4)]
    applications = [application_submit(child=child, group=group, actor=None) for child in children]
    assert [a.status for a in applications] == [S.INVITED, S.INVITED, S.WAITLISTED, S.WAITLISTED]
    return group, applications


@pytest.fixture
def submitted(world):
    """Applications waiting for a decision (as from a lottery window or an import) to a full group: waitlisting
    them keeps them waiting (into a group with free seats the service would invite them at once)."""
    full = f.GroupFactory(programme=world.programme, capacity=1, name="Полная группа")
    f.EnrollmentFactory(group=full, child=f.ChildFactory(municipality=world.a1))
    return [f.ApplicationFactory(child=f.ChildFactory(municipality=world.a1), group=full) for _ in range(3)]


@pytest.fixture
def submitted_with_seats(world):
    return [world.application] + [f.ApplicationFactory(child=f.ChildFactory(municipality=world.a1), group=world.group)
                                  for _ in range(2)]


def reason() -> RejectReason:
    return RejectReason.objects.get(code="no_documents")


def test_the_inbox_lists_open_applications_due_soonest_first(signed_in, world, submitted_with_seats):
    submitted = submitted_with_seats
    now = timezone.now()
    late = f.ApplicationFactory(child=f.ChildFactory(municipality=world.a1, surname="Опоздалов"), group=world.group,
                                answer_due_at=now - dt.timedelta(days=2, hours=3))
    soon = f.ApplicationFactory(child=f.ChildFactory(municipality=world.a1, surname="Скоров"), group=world.group,
                                answer_due_at=now + dt.timedelta(days=1, hours=5, minutes=10))
    f.ApplicationFactory(child=f.ChildFactory(municipality=world.a1, surname="Закрытов"), group=world.group,
                         status=S.WITHDRAWN)
    response = signed_in.get("/inbox/")
    assert response.status_code == 200
    listed = [a.pk for a in response.context["applications"]]
    assert listed[:2] == [late.pk, soon.pk]
    assert set(listed) == {late.pk, soon.pk, *(a.pk for a in submitted)}
    html = response.content.decode()
    assert "просрочено на 2 дн. 3 ч" in html
    assert "осталось 1 дн. 5 ч" in html
    assert f'id="application-{late.pk}" class="is-overdue"' in html
    assert "Закрытов" not in html


def test_the_inbox_shows_name_age_and_guardian_phone_but_no_national_id(signed_in, world):
    world.sibling.national_id_kind, world.sibling.national_id = "snils", "11223344595"
    world.sibling.save()
    html = signed_in.get("/inbox/").content.decode()
    assert world.sibling.surname in html
    assert world.guardian.phone in html
    assert "11223344595" not in html
    assert "112-233-445" not in html


def test_filters_by_status_and_group(signed_in, world, two_seats, submitted):
    group, applications = two_seats
    waiting = signed_in.get("/inbox/", {"status": "waitlisted"}).context["applications"]
    assert [a.pk for a in waiting] == [a.pk for a in applications[2:]]
    assert [a.queue_position for a in waiting] == [1, 2]
    in_group = signed_in.get("/inbox/", {"group": group.pk}).context["applications"]
    assert {a.pk for a in in_group} == {a.pk for a in applications}
    rejected = signed_in.get("/inbox/", {"status": "rejected"}).context["applications"]
    assert rejected == []


def test_bulk_waitlist_moves_every_selected_application(signed_in, org_admin, submitted):
    response = signed_in.post("/inbox/actions/", {"ids": [a.pk for a in submitted[:2]], "action": "waitlist",
                                                  "next": "/inbox/?status=submitted"})
    assert response["Location"] == "/inbox/?status=submitted"
    statuses = dict(Application.objects.filter(pk__in=[a.pk for a in submitted]).values_list("pk", "status"))
    assert [statuses[a.pk] for a in submitted] == [S.WAITLISTED, S.WAITLISTED, S.SUBMITTED]
    assert submitted[0].history.get(to_status=S.WAITLISTED).actor == org_admin


def test_bulk_reject_needs_a_reason_from_the_dictionary(signed_in, submitted):
    ids = [a.pk for a in submitted]
    refused = signed_in.post("/inbox/actions/", {"ids": ids, "action": "reject"}, follow=True)
    assert "Укажите причину отказа." in refused.content.decode()
    assert not Application.objects.filter(pk__in=ids, status=S.REJECTED).exists()

    signed_in.post("/inbox/actions/", {"ids": ids, "action": "reject", "reason": reason().pk,
                                       "note": "Нет медицинской справки"})
    for application in Application.objects.filter(pk__in=ids):
        assert (application.status, application.reject_reason) == (S.REJECTED, reason())
        assert application.history.get(to_status=S.REJECTED).note == "Нет медицинской справки"


def test_a_row_button_acts_on_its_own_application_only(signed_in, submitted_with_seats):
    submitted = submitted_with_seats
    signed_in.post("/inbox/actions/", {"ids": [a.pk for a in submitted], "row": f"invite:{submitted[1].pk}",
                                       "action": "reject"})
    statuses = dict(Application.objects.filter(pk__in=[a.pk for a in submitted]).values_list("pk", "status"))
    assert [statuses[a.pk] for a in submitted] == [S.SUBMITTED, S.INVITED, S.SUBMITTED]


def test_inviting_into_a_full_group_is_refused_with_the_reason(signed_in, two_seats):
    _group, applications = two_seats
    response = signed_in.post("/inbox/actions/", {"row": f"invite:{applications[3].pk}"}, follow=True)
    assert "нет свободных мест" in response.content.decode()
    applications[3].refresh_from_db()
    assert applications[3].status == S.WAITLISTED


def test_a_move_the_workflow_forbids_is_reported_and_others_proceed(signed_in, two_seats, submitted):
    _group, applications = two_seats
    response = signed_in.post("/inbox/actions/", {"ids": [applications[0].pk, submitted[0].pk],
                                                  "action": "waitlist"}, follow=True)
    html = response.content.decode()
    assert "нельзя перевести в статус" in html
    assert "Заявок обработано: 1." in html
    applications[0].refresh_from_db()
    submitted[0].refresh_from_db()
    assert (applications[0].status, submitted[0].status) == (S.INVITED, S.WAITLISTED)


def test_accept_and_enroll_records_the_order_start_date_and_funding(signed_in, org_admin, two_seats):
    group, applications = two_seats
    page = signed_in.get(f"/inbox/applications/{applications[0].pk}/")
    assert page.status_code == 200
    assert "Принять и зачислить" in page.content.decode()
    response = signed_in.post(f"/inbox/applications/{applications[0].pk}/enroll/", {
        "order_number": "17-у", "start_date": "2026-12-01", "funding_source": "certificate"})
    assert response["Location"] == f"/inbox/groups/{group.pk}/"
    enrollment = Enrollment.objects.get(application=applications[0])
    assert (enrollment.child, enrollment.group, enrollment.order_number, enrollment.start_date,
            enrollment.funding_source) == (applications[0].child, group, "17-у", dt.date(2026, 12, 1), "certificate")
    applications[0].refresh_from_db()
    assert applications[0].status == S.ENROLLED
    assert applications[0].history.get(to_status=S.ENROLLED).actor == org_admin
    group.refresh_from_db()
    assert (group.enrolled_count, group.held_count) == (1, 1)


def test_enrolling_without_an_order_number_creates_nothing(signed_in, two_seats):
    _group, applications = two_seats
    response = signed_in.post(f"/inbox/applications/{applications[0].pk}/enroll/", {
        "order_number": "", "start_date": "2026-12-01", "funding_source": "budget"})
    assert response.status_code == 200
    assert response.context["enroll_form"].errors["order_number"]
    assert not Enrollment.objects.filter(application=applications[0]).exists()


def test_enrolling_a_waiting_child_into_a_full_group_is_refused(signed_in, two_seats):
    _group, applications = two_seats
    response = signed_in.post(f"/inbox/applications/{applications[2].pk}/enroll/", {
        "order_number": "18-у", "start_date": "2026-12-01", "funding_source": "budget"})
    assert response.status_code == 200
    assert "нет свободных мест" in response.content.decode()
    assert not Enrollment.objects.filter(application=applications[2]).exists()
    applications[2].refresh_from_db()
    assert applications[2].status == S.WAITLISTED
