"""Applications and enrollments in the admin: statuses change only through the services (actions, adding),
which keep the history, the seat count and the audit log."""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers

from kruzhok import factories as f
from kruzhok.accounts.tests import fixtures
from kruzhok.accounts.tests.admin_client import add_url, change_url, changelist_url, form_data
from kruzhok.catalog.models import Group
from kruzhok.core.models import AuditLog
from kruzhok.enrollment.models import Application, ApplicationStatusChange, Enrollment

full_world = fixtures.full_world  # the shared fixture, used by name


def run_action(client, model, action: str, *objs):
    return client.post(changelist_url(model), {"action": action, helpers.ACTION_CHECKBOX_NAME: [o.pk for o in objs]},
                       follow=True)


def test_status_is_read_only_in_the_application_form(client, full_world):
    client.force_login(full_world.org_admin)
    page = client.get(change_url(full_world.application))
    assert "status" not in page.context["adminform"].form.fields
    data = form_data(page, status="enrolled", comment="Перезвонить")
    assert client.post(change_url(full_world.application), data).status_code == 302
    full_world.application.refresh_from_db()
    assert (full_world.application.status, full_world.application.comment) == ("submitted", "Перезвонить")


def test_invite_action_goes_through_the_service(client, full_world):
    client.force_login(full_world.org_admin)
    run_action(client, Application, "mark_invited", full_world.application)
    full_world.application.refresh_from_db()
    assert full_world.application.status == "invited"
    change = ApplicationStatusChange.objects.get(application=full_world.application, to_status="invited")
    assert (change.from_status, change.actor) == ("submitted", full_world.org_admin)
    assert AuditLog.objects.filter(action="application.transition", object_id=str(full_world.application.pk),
                                   actor=full_world.org_admin).exists()


def test_action_skips_rows_the_user_only_sees(client, full_world):
    """Region A follows other_child's application to far_group but does not decide it."""
    client.force_login(full_world.regional_admin)
    response = run_action(client, Application, "mark_invited", full_world.other_application,
                          full_world.application)
    full_world.other_application.refresh_from_db()
    full_world.application.refresh_from_db()
    assert full_world.other_application.status == "submitted"
    assert full_world.application.status == "invited"
    assert "Пропущена 1 запись" in response.content.decode()


def test_refused_transition_is_reported_not_applied(client, full_world):
    Application.objects.filter(pk=full_world.application.pk).update(status="withdrawn")
    client.force_login(full_world.org_admin)
    response = run_action(client, Application, "mark_invited", full_world.application)
    assert response.status_code == 200
    full_world.application.refresh_from_db()
    assert full_world.application.status == "withdrawn"
    assert not ApplicationStatusChange.objects.filter(application=full_world.application,
                                                      to_status="invited").exists()


def test_enroll_action_takes_a_seat(client, full_world):
    client.force_login(full_world.org_admin)
    run_action(client, Application, "enroll_today", full_world.application)
    full_world.application.refresh_from_db()
    assert full_world.application.status == "enrolled"
    assert Enrollment.objects.filter(child=full_world.sibling, group=full_world.group, status="active",
                                     application=full_world.application).exists()
    assert Group.objects.get(pk=full_world.group.pk).enrolled_count == 2


def test_application_added_in_the_admin_has_its_history(client, full_world):
    client.force_login(full_world.org_admin)
    data = form_data(client.get(add_url(Application)), child=full_world.child.pk,
                     group=full_world.untaught_group.pk, channel="organization", comment="Пришли лично")
    response = client.post(add_url(Application), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    application = Application.objects.get(child=full_world.child, group=full_world.untaught_group)
    # The service answers at once: seats are free and nobody waits, so the child is invited.
    assert (application.status, application.channel, application.comment) == (
        "invited", "organization", "Пришли лично")
    assert application.answer_due_at is not None  # the organization's deadline, kept under the typed comment
    assert application.history.get().to_status == "invited"


def test_second_open_application_is_refused_with_a_message(client, full_world):
    client.force_login(full_world.org_admin)
    data = form_data(client.get(add_url(Application)), child=full_world.sibling.pk, group=full_world.group.pk,
                     channel="organization")
    response = client.post(add_url(Application), data, follow=True)
    assert response.status_code == 200
    assert Application.objects.filter(child=full_world.sibling, group=full_world.group).count() == 1
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_enrollment_added_in_the_admin_is_refused_when_the_group_is_full(client, full_world):
    group = full_world.untaught_group
    Group.objects.filter(pk=group.pk).update(capacity=1)
    f.EnrollmentFactory(child=f.ChildFactory(municipality=full_world.a1, registered_by=full_world.org), group=group)
    client.force_login(full_world.org_admin)
    data = form_data(client.get(add_url(Enrollment)), child=full_world.sibling.pk, group=group.pk,
                     start_date="2025-10-01", funding_source="budget")
    response = client.post(add_url(Enrollment), data, follow=True)
    assert not Enrollment.objects.filter(child=full_world.sibling).exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_enrollment_added_in_the_admin_goes_through_the_service(client, full_world):
    client.force_login(full_world.org_admin)
    data = form_data(client.get(add_url(Enrollment)), child=full_world.sibling.pk, group=full_world.group.pk,
                     start_date="2025-10-01", order_number="15-д", funding_source="budget")
    response = client.post(add_url(Enrollment), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    enrollment = Enrollment.objects.get(child=full_world.sibling)
    assert (enrollment.status, enrollment.order_number) == ("active", "15-д")
    assert AuditLog.objects.filter(action="enrollment.create", object_id=str(enrollment.pk)).exists()


@pytest.mark.parametrize("field", ["status", "group", "child"])
def test_enrollment_form_does_not_change_status_or_placement(client, full_world, field):
    client.force_login(full_world.org_admin)
    page = client.get(change_url(full_world.enrollment))
    assert field not in page.context["adminform"].form.fields


def test_complete_action_ends_the_enrollment_and_frees_the_seat(client, full_world):
    client.force_login(full_world.org_admin)
    run_action(client, Enrollment, "complete_today", full_world.enrollment)
    full_world.enrollment.refresh_from_db()
    assert full_world.enrollment.status == "completed" and full_world.enrollment.end_date is not None
    assert Group.objects.get(pk=full_world.group.pk).enrolled_count == 0


def test_teacher_has_no_actions_on_applications(client, full_world):
    client.force_login(full_world.teacher)
    run_action(client, Application, "mark_invited", full_world.application)
    full_world.application.refresh_from_db()
    assert full_world.application.status == "submitted"


def test_history_is_shown_read_only_in_the_application(client, full_world):
    client.force_login(full_world.org_admin)
    page = client.get(change_url(full_world.application))
    (inline,) = page.context["inline_admin_formsets"]
    assert not (inline.has_add_permission or inline.has_change_permission or inline.has_delete_permission)
    assert len(list(inline)) == 1
