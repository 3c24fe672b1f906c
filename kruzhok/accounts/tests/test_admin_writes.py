"""Saving in the admin: new rows land in the user's scope, existing links survive, inlines follow their parent."""

from __future__ import annotations

from kruzhok.accounts.tests.admin_client import add_url, change_url, form_data
from kruzhok.catalog.models import Employment, Group, Organization, ScheduleSlot, Teacher
from kruzhok.people.models import Child, Consent


def test_child_added_by_org_admin_is_registered_by_the_organization(client, full_world):
    client.force_login(full_world.org_admin)
    data = form_data(client.get(add_url(Child)), surname="Новикова", name="Вера", sex="F",
                     birth_date="2016-05-05", municipality=full_world.a1.pk)
    response = client.post(add_url(Child), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    child = Child.objects.get(surname="Новикова")
    assert child.registered_by == full_world.org
    assert client.get(change_url(child)).status_code == 200


def test_teacher_added_by_org_admin_is_employed_there(client, full_world):
    client.force_login(full_world.org_admin)
    data = form_data(client.get(add_url(Teacher)), surname="Смирнов", name="Олег", education_level="higher_ped")
    response = client.post(add_url(Teacher), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    teacher = Teacher.objects.get(surname="Смирнов")
    assert list(Employment.objects.filter(teacher=teacher).values_list("organization", flat=True)) == [
        full_world.org.pk]


def test_a_link_outside_the_scope_survives_an_edit_but_cannot_be_chosen(client, full_world):
    """The group meets in other_org's building (shared infrastructure), which org's admin cannot list."""
    group = full_world.group
    Group.objects.filter(pk=group.pk).update(venue=full_world.other_venue)
    client.force_login(full_world.org_admin)
    data = form_data(client.get(change_url(group)), name="Юные инженеры")
    assert client.post(change_url(group), data).status_code == 302
    group.refresh_from_db()
    assert (group.name, group.venue) == ("Юные инженеры", full_world.other_venue)

    data["venue"] = full_world.far_venue.pk
    response = client.post(change_url(group), data)
    assert "venue" in response.context["adminform"].form.errors
    group.refresh_from_db()
    assert group.venue == full_world.other_venue


def test_schedule_is_edited_inside_the_group_by_its_organization(client, full_world):
    client.force_login(full_world.org_admin)
    page = client.get(change_url(full_world.group))
    data = form_data(page, **{"schedule-TOTAL_FORMS": "2", "schedule-1-weekday": "3",
                              "schedule-1-starts_at": "10:00", "schedule-1-ends_at": "11:30"})
    response = client.post(change_url(full_world.group), data)
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"][0].formset.errors
    assert ScheduleSlot.objects.filter(group=full_world.group).count() == 2


def test_teacher_sees_the_schedule_of_own_group_read_only(client, full_world):
    client.force_login(full_world.teacher)
    response = client.get(change_url(full_world.group))
    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    assert not inline.has_add_permission and not inline.has_change_permission
    assert len(list(inline)) == 1


def test_consent_added_in_the_child_form_records_who_recorded_it(client, full_world):
    client.force_login(full_world.org_admin)
    data = form_data(client.get(change_url(full_world.child)), **{
        "consents-TOTAL_FORMS": "2", "consents-1-scope": "navigator", "consents-1-text_version": "2025-09",
        "consents-1-given_at_0": "2025-09-01", "consents-1-given_at_1": "10:00:00"})
    response = client.post(change_url(full_world.child), data)
    assert response.status_code == 302, response.context and [
        i.formset.errors for i in response.context["inline_admin_formsets"]]
    assert Consent.objects.get(child=full_world.child, scope="navigator").recorded_by == full_world.org_admin


def test_org_admin_does_not_move_the_organization(client, full_world):
    client.force_login(full_world.org_admin)
    data = form_data(client.get(change_url(full_world.org)), municipality=full_world.b1.pk, phone="+73912000000")
    assert client.post(change_url(full_world.org), data).status_code == 302
    org = Organization.objects.get(pk=full_world.org.pk)
    assert (org.municipality, org.phone) == (full_world.a1, "+73912000000")


def test_autocomplete_offers_only_scoped_rows(client, full_world):
    client.force_login(full_world.org_admin)
    response = client.get("/admin/autocomplete/", {"app_label": "catalog", "model_name": "group",
                                                   "field_name": "teachers", "term": ""})
    assert response.status_code == 200
    assert {int(r["id"]) for r in response.json()["results"]} == {full_world.teacher_profile.pk}
