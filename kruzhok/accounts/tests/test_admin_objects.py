"""Opening, changing and deleting single rows in the admin: out of scope means no data and no side effect."""

from __future__ import annotations

import pytest
from django.contrib import admin

from kruzhok.accounts.tests.admin_client import add_url, change_url, delete_url, form_data
from kruzhok.accounts.tests.expected import ALL, READ, case_id, expected_pks
from kruzhok.catalog.models import Group, Programme
from kruzhok.enrollment.models import Application
from kruzhok.events.models import Event
from kruzhok.people.models import Child

SCOPED = [m for m in READ if m in admin.site._registry and READ[m]["org_admin"] != ALL]


@pytest.mark.parametrize("model", SCOPED, ids=case_id)
@pytest.mark.parametrize("user", ["teacher", "org_admin", "municipal_admin", "outsider"])
def test_change_page_of_a_row_out_of_scope_shows_nothing(client, full_world, model, user):
    visible = expected_pks(full_world, model, READ[model][user])
    hidden = model._default_manager.exclude(pk__in=visible).first()
    if hidden is None:
        pytest.skip("the user sees every row of this model")
    client.force_login(getattr(full_world, user))
    response = client.get(change_url(hidden), follow=True)
    if response.redirect_chain:  # "no such row": back to the admin index with a warning
        assert response.request["PATH_INFO"] != change_url(hidden)
    else:
        assert response.status_code in (403, 404)
    page = response.content.decode()
    assert str(hidden) not in page


def test_post_to_another_organizations_programme_changes_nothing(client, full_world):
    client.force_login(full_world.superuser)
    data = form_data(client.get(change_url(full_world.other_programme)), title="Захвачено")
    client.force_login(full_world.org_admin)
    response = client.post(change_url(full_world.other_programme), data)
    assert response.status_code in (302, 403, 404)
    full_world.other_programme.refresh_from_db()
    assert full_world.other_programme.title != "Захвачено"


def test_post_to_own_programme_changes_it(client, full_world):
    client.force_login(full_world.org_admin)
    data = form_data(client.get(change_url(full_world.programme)), title="Шахматы")
    response = client.post(change_url(full_world.programme), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    full_world.programme.refresh_from_db()
    assert full_world.programme.title == "Шахматы"


def test_teacher_sees_own_programme_read_only_and_cannot_post(client, full_world):
    client.force_login(full_world.teacher)
    response = client.get(change_url(full_world.programme))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert 'name="_save"' not in response.content.decode()
    client.force_login(full_world.superuser)
    data = form_data(client.get(change_url(full_world.programme)), title="Шахматы")
    client.force_login(full_world.teacher)
    assert client.post(change_url(full_world.programme), data).status_code == 403
    full_world.programme.refresh_from_db()
    assert full_world.programme.title != "Шахматы"


def test_home_region_reads_but_cannot_change_an_application_elsewhere(client, full_world):
    application = full_world.other_application
    client.force_login(full_world.regional_admin)
    response = client.get(change_url(application))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    data = {"comment": "Вмешательство", "answer_due_at_0": "", "answer_due_at_1": ""}
    assert client.post(change_url(application), data).status_code == 403
    application.refresh_from_db()
    assert application.comment == ""


def test_delete_of_another_organizations_group_deletes_nothing(client, full_world):
    client.force_login(full_world.org_admin)
    response = client.post(delete_url(full_world.far_group), {"post": "yes"})
    assert response.status_code in (302, 403, 404)
    assert Group.objects.filter(pk=full_world.far_group.pk).exists()


def test_org_admin_cannot_add_a_programme_to_another_organization(client, full_world):
    client.force_login(full_world.org_admin)
    page = client.get(add_url(Programme))
    data = form_data(page, organization=full_world.far_org.pk, title="Чужая", direction=full_world.programme
                     .direction_id, age_from=7, age_to=10, hours=36, duration_months=9, level="basic",
                     form="in_person", funding="free", status="draft")
    response = client.post(add_url(Programme), data)
    assert response.status_code == 200  # the form comes back with an error
    assert "organization" in response.context["adminform"].form.errors
    assert not Programme.objects.filter(title="Чужая").exists()


def test_municipal_admin_cannot_create_an_event_in_another_municipality(client, full_world):
    """Municipalities are a public dictionary, so B1 is a valid choice; the saved row would be out of scope."""
    client.force_login(full_world.municipal_admin)
    data = form_data(client.get(add_url(Event)), title="Чужой праздник", kind="holiday", level="municipal",
                     start_date="2025-12-01", municipality=full_world.b1.pk, audience="children",
                     format="in_person", status="planned", **{"participants-TOTAL_FORMS": "0"})
    response = client.post(add_url(Event), data)
    assert response.status_code == 403, response.context and response.context["adminform"].form.errors
    assert not Event.objects.filter(title="Чужой праздник").exists()
    data["municipality"] = full_world.a1.pk
    assert client.post(add_url(Event), data).status_code == 302
    assert Event.objects.filter(title="Чужой праздник", municipality=full_world.a1).exists()


def test_org_admin_cannot_delete_a_child_record(client, full_world):
    """A child's record is shared by the organizations it attends: only its territory removes it."""
    client.force_login(full_world.org_admin)
    assert client.post(delete_url(full_world.child), {"post": "yes"}).status_code == 403
    assert Child.objects.filter(pk=full_world.child.pk).exists()


def test_application_of_another_organization_is_not_reachable_by_history(client, full_world):
    client.force_login(full_world.org_admin)
    url = change_url(full_world.other_application).replace("/change/", "/history/")
    response = client.get(url, follow=True)
    assert str(full_world.other_application.child) not in response.content.decode()
    assert Application.objects.get(pk=full_world.other_application.pk).status == "submitted"
