"""User accounts in the admin: e-mail login, role grants inline, superusers only."""

from __future__ import annotations

import pytest

from kruzhok.accounts.models import Role, RoleGrant, User
from kruzhok.accounts.tests.admin_client import add_url, change_url, changelist_url, form_data


def test_superuser_adds_a_user_by_email(client, full_world):
    client.force_login(full_world.superuser)
    page = client.get(add_url(User))
    assert page.status_code == 200
    assert "username" not in page.context["adminform"].form.fields
    response = client.post(add_url(User), form_data(
        page, email="New.Admin@Example.org", usable_password="true", password1="A-long-pass-2025!",
        password2="A-long-pass-2025!"))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    user = User.objects.get(email="new.admin@example.org")
    assert user.check_password("A-long-pass-2025!")


def test_superuser_grants_a_role_in_the_user_form(client, full_world):
    user = full_world.parent
    client.force_login(full_world.superuser)
    data = form_data(client.get(change_url(user)), **{
        "grants-TOTAL_FORMS": "1", "grants-0-role": Role.ORG_ADMIN, "grants-0-organization": full_world.org.pk})
    response = client.post(change_url(user), data)
    assert response.status_code == 302, response.context and [
        i.formset.errors for i in response.context["inline_admin_formsets"]]
    assert RoleGrant.objects.filter(user=user, role=Role.ORG_ADMIN, organization=full_world.org).exists()


def test_a_grant_must_name_its_scope(client, full_world):
    user = full_world.parent
    client.force_login(full_world.superuser)
    data = form_data(client.get(change_url(user)), **{"grants-TOTAL_FORMS": "1", "grants-0-role": Role.ORG_ADMIN})
    response = client.post(change_url(user), data)
    assert response.status_code == 200
    assert not RoleGrant.objects.filter(user=user).exists()


@pytest.mark.parametrize("user", ["teacher", "org_admin", "municipal_admin", "regional_admin", "outsider"])
def test_nobody_else_manages_accounts(client, full_world, user):
    client.force_login(getattr(full_world, user))
    assert client.get(changelist_url(User)).status_code == 403
    response = client.get(change_url(full_world.parent), follow=True)
    assert response.status_code in (403, 404) or response.request["PATH_INFO"] == "/admin/"
    assert full_world.parent.email not in response.content.decode()
    response = client.post(add_url(User), {"email": "x@example.org", "usable_password": "false"})
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.org").exists()


def test_superuser_revokes_an_api_token_but_cannot_edit_it(client, full_world):
    from django.contrib.admin import helpers

    from kruzhok.accounts.models import ApiToken

    token = full_world.token
    client.force_login(full_world.superuser)
    assert not client.get(change_url(token)).context["has_change_permission"]
    client.post(changelist_url(ApiToken), {"action": "revoke_tokens", helpers.ACTION_CHECKBOX_NAME: [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.force_login(full_world.org_admin)  # the token's own user manages it through the API, not the admin
    assert client.get(changelist_url(ApiToken)).status_code == 403
