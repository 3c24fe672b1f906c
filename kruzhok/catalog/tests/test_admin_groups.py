"""Groups and programmes in the admin: seats are counted, not typed; the list shows what an analyst needs."""

from __future__ import annotations

from kruzhok.accounts.tests import fixtures
from kruzhok.accounts.tests.admin_client import change_url, changelist_url, form_data
from kruzhok.catalog.models import Group, Programme

full_world = fixtures.full_world  # the shared fixture, used by name


def test_enrolled_count_cannot_be_typed(client, full_world):
    client.force_login(full_world.org_admin)
    page = client.get(change_url(full_world.group))
    assert "enrolled_count" not in page.context["adminform"].form.fields
    data = form_data(page, enrolled_count="0", capacity="6")
    assert client.post(change_url(full_world.group), data).status_code == 302
    group = Group.objects.get(pk=full_world.group.pk)
    assert (group.capacity, group.enrolled_count) == (6, 1)


def test_capacity_below_enrolled_is_refused(client, full_world):
    Group.objects.filter(pk=full_world.group.pk).update(capacity=1)
    client.force_login(full_world.org_admin)
    data = form_data(client.get(change_url(full_world.group)))
    data["capacity"] = "0"
    response = client.post(change_url(full_world.group), data)
    assert response.status_code == 200
    assert Group.objects.get(pk=full_world.group.pk).capacity == 1


def test_group_list_shows_fill_and_seats_left(client, full_world):
    client.force_login(full_world.municipal_admin)
    response = client.get(changelist_url(Group))
    page = response.content.decode()
    for column in ("column-organization", "column-capacity", "column-enrolled_count", "column-seats_left",
                   "column-ages", "column-period"):
        assert column in page
    assert full_world.org.short_name in page
    assert "01.09.2025–31.05.2026" in page


def test_group_list_filters_by_direction_and_funding(client, full_world):
    client.force_login(full_world.regional_admin)
    Programme.objects.filter(pk=full_world.other_programme.pk).update(funding="certificate",
                                                                      certificate_hour_cost=150)
    response = client.get(changelist_url(Group), {"programme__funding__exact": "certificate"})
    assert {g.pk for g in response.context["cl"].result_list} == {full_world.other_group.pk}


def test_programme_shows_its_groups_with_counted_seats(client, full_world):
    client.force_login(full_world.org_admin)
    response = client.get(change_url(full_world.programme))
    (groups,) = response.context["inline_admin_formsets"]
    assert groups.has_change_permission
    assert "enrolled_count" not in groups.formset.forms[0].fields
    assert {form.instance.pk for form in groups.formset.forms} == {full_world.group.pk,
                                                                   full_world.untaught_group.pk}


def test_network_partners_are_chosen_from_the_public_directory(client, full_world):
    """An organization's admin cannot list other organizations, but names them as network partners."""
    client.force_login(full_world.org_admin)
    page = client.get(change_url(full_world.programme))
    choices = set(page.context["adminform"].form.fields["network_partners"].queryset)
    assert {full_world.other_org, full_world.far_org} <= choices
    data = form_data(page, is_network="on", network_partners=[full_world.far_org.pk])
    assert client.post(change_url(full_world.programme), data).status_code == 302
    assert list(full_world.programme.network_partners.all()) == [full_world.far_org]
