"""National identifiers in the admin: territory admins see them in the change form; organization admins and
teachers never see, search or change them; no list shows them or phones."""

from __future__ import annotations

import pytest

from kruzhok.accounts.tests import fixtures
from kruzhok.accounts.tests.admin_client import change_url, changelist_url, form_data
from kruzhok.people.models import Child
from kruzhok.people.validators import snils_check_number

full_world = fixtures.full_world  # the shared fixture, used by name

SNILS = "112233445" + f"{snils_check_number('112233445'):02d}"
PHONE = "+79991234567"


@pytest.fixture
def identified(full_world):
    child = full_world.child
    child.national_id_kind, child.national_id, child.phone = Child.IdKind.SNILS, SNILS, PHONE
    child.save(update_fields=["national_id_kind", "national_id", "phone"])
    return full_world


@pytest.mark.parametrize("user", ["org_admin", "teacher"])
def test_organization_staff_never_see_the_national_id(client, identified, user):
    client.force_login(getattr(identified, user))
    form_page = client.get(change_url(identified.child))
    assert form_page.status_code == 200
    assert SNILS not in form_page.content.decode()
    assert "national_id" not in form_page.context["adminform"].form.fields
    assert SNILS not in client.get(changelist_url(Child)).content.decode()


@pytest.mark.parametrize("user", ["municipal_admin", "regional_admin", "superuser"])
def test_territory_admins_see_it_in_the_form_only(client, identified, user):
    client.force_login(getattr(identified, user))
    assert SNILS in client.get(change_url(identified.child)).content.decode()
    listing = client.get(changelist_url(Child)).content.decode()
    assert SNILS not in listing
    assert PHONE not in listing


def test_org_admin_cannot_find_a_child_by_national_id(client, identified):
    client.force_login(identified.org_admin)
    assert list(client.get(changelist_url(Child), {"q": SNILS}).context["cl"].result_list) == []
    client.force_login(identified.municipal_admin)
    assert list(client.get(changelist_url(Child), {"q": SNILS}).context["cl"].result_list) == [identified.child]


def test_org_admin_cannot_overwrite_the_national_id(client, identified):
    client.force_login(identified.org_admin)
    data = form_data(client.get(change_url(identified.child)), name="Иоанн", national_id="", national_id_kind="")
    response = client.post(change_url(identified.child), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    identified.child.refresh_from_db()
    assert identified.child.name == "Иоанн"
    assert identified.child.national_id == SNILS
