"""Registering as a parent: an account with a guardian profile, signed in at once; staff become parents too."""

from __future__ import annotations

import pytest

from kruzhok import factories as f
from kruzhok.accounts.models import RoleGrant, User
from kruzhok.accounts.scoping import user_scope
from kruzhok.core.models import AuditLog
from kruzhok.people.models import Guardian
from kruzhok.people.services import CONSENT_TEXT_VERSION

pytestmark = pytest.mark.django_db

FORM = {"email": "Mama@Example.org", "password1": "kruzhok-pass-2025", "password2": "kruzhok-pass-2025",
        "surname": "Петрова", "name": "Анна", "patronymic": "Ивановна", "phone": "+7 900 000-00-01"}


def test_registering_creates_a_parent_and_signs_them_in(client):
    response = client.post("/cabinet/register/", FORM)
    assert response.status_code == 302
    assert response["Location"] == "/cabinet/children/add/"
    user = User.objects.get(email="mama@example.org")
    assert user.check_password("kruzhok-pass-2025")
    assert (user.last_name, user.first_name, user.preferred_language) == ("Петрова", "Анна", "ru")
    guardian = Guardian.objects.get(user=user)
    assert (guardian.surname, guardian.name, guardian.phone, guardian.email) == (
        "Петрова", "Анна", "+7 900 000-00-01", "mama@example.org")
    assert not RoleGrant.objects.filter(user=user).exists()  # a parent by the guardian profile, not a grant
    assert "parent" in user_scope(user).roles
    assert AuditLog.objects.filter(action="guardian.create", object_id=str(guardian.pk)).exists()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/cabinet/").status_code == 200


def test_registering_in_kazakh_keeps_the_language_for_notifications(client):
    client.post("/kk/cabinet/register/", FORM)
    assert User.objects.get(email="mama@example.org").preferred_language == "kk"


@pytest.mark.parametrize(("change", "field"), [
    ({"password2": "another-pass-2025"}, "password2"),
    ({"password1": "123", "password2": "123"}, "password1"),
    ({"email": "not-an-email"}, "email"),
    ({"name": ""}, "name"),
])
def test_a_bad_form_creates_nothing(client, change, field):
    response = client.post("/cabinet/register/", {**FORM, **change})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_taken_email_is_refused_with_a_hint_to_sign_in(client):
    f.UserFactory(email="mama@example.org")
    response = client.post("/cabinet/register/", FORM)
    assert "Учётная запись с таким e-mail уже есть" in response.content.decode()
    assert User.objects.count() == 1
    assert not Guardian.objects.exists()


def test_the_cabinet_sends_a_visitor_to_sign_in(client):
    response = client.get("/cabinet/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/cabinet/"


def test_a_signed_in_user_without_a_profile_gives_their_name_to_become_a_parent(client, org_admin):
    client.force_login(org_admin)
    response = client.get("/cabinet/apply/1/")
    assert response.status_code == 302
    assert response["Location"] == "/cabinet/register/?next=%2Fcabinet%2Fapply%2F1%2F"
    page = client.get(response["Location"])
    assert "password1" not in page.context["form"].fields
    done = client.post("/cabinet/register/?next=/cabinet/", {"surname": "Админова", "name": "Ольга",
                                                              "phone": "+7 900 1", "next": "/cabinet/"})
    assert done.status_code == 302
    assert done["Location"] == "/cabinet/"
    assert Guardian.objects.get(user=org_admin).surname == "Админова"
    assert client.get("/cabinet/").status_code == 200


def test_a_parent_opening_registration_goes_to_the_cabinet(client, parent):
    client.force_login(parent)
    response = client.get("/cabinet/register/")
    assert response["Location"] == "/cabinet/"


def test_registration_refuses_an_outside_next_url(client):
    response = client.post("/cabinet/register/", {**FORM, "next": "https://evil.example/"})
    assert response["Location"] == "/cabinet/children/add/"


def test_a_visitor_from_a_programme_card_registers_adds_a_child_and_returns_to_apply(client, world):
    apply_url = f"/cabinet/apply/{world.group.pk}/"
    assert client.get(apply_url)["Location"] == f"/login/?next={apply_url}"
    registered = client.post(f"/cabinet/register/?next={apply_url}", {**FORM, "next": apply_url})
    assert registered["Location"] == apply_url
    page = client.get(apply_url).content.decode()
    assert f'href="/cabinet/children/add/?next={apply_url}"' in page
    added = client.post(f"/cabinet/children/add/?next={apply_url}", {
        "surname": "Новиков", "name": "Лёва", "sex": "M", "birth_date": "2016-05-05", "relation": "father",
        "municipality": world.a1.pk, "consent": "on", "consent_version": CONSENT_TEXT_VERSION, "next": apply_url})
    assert added["Location"] == apply_url
    assert "Новиков Лёва" in client.get(apply_url).content.decode()
