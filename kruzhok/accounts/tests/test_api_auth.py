"""API authentication: bearer tokens (stored hashed, shown once, revocable, scoped) and the browser session with
CSRF; refusals as ``{code, message, details}``."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from kruzhok import factories as f
from kruzhok.accounts.api_auth import TOKEN_PREFIX, api_token_issue, api_token_revoke
from kruzhok.accounts.models import ApiToken
from kruzhok.core.models import AuditLog
from kruzhok.enrollment.models import Application


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def body_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == code and body["message"]
    return body


@pytest.fixture
def open_group(world):
    return f.GroupFactory(programme=world.programme, capacity=3)


def apply_payload(world, group) -> dict:
    return {"child_id": world.child.pk, "group_id": group.pk}


# --- tokens ---------------------------------------------------------------------------------------------------


def test_token_is_stored_only_as_its_hash(parent):
    row, token = api_token_issue(user=parent, name="телефон")
    assert token.startswith(TOKEN_PREFIX) and len(token) > 40
    stored = ApiToken.objects.get(pk=row.pk)
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in [str(getattr(stored, field.attname)) for field in ApiToken._meta.concrete_fields]
    assert AuditLog.objects.filter(action="api_token.issue", object_id=str(row.pk)).exists()


def test_bearer_token_authenticates_and_records_last_use(client, parent):
    row, token = api_token_issue(user=parent, name="t")
    assert client.get("/api/applications", **bearer(token)).status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_revoked_token_is_refused(client, parent):
    row, token = api_token_issue(user=parent, name="t")
    api_token_revoke(token=row, actor=parent)
    body_of(client.get("/api/applications", **bearer(token)), 401, "token_invalid")


def test_unknown_token_is_refused_even_with_a_session(client, parent):
    client.force_login(parent)
    body_of(client.get("/api/applications", **bearer("kzh_not-a-token")), 401, "token_invalid")


def test_token_of_inactive_user_is_refused(client, parent):
    _, token = api_token_issue(user=parent, name="t")
    parent.is_active = False
    parent.save(update_fields=["is_active"])
    body_of(client.get("/api/applications", **bearer(token)), 401, "token_invalid")


def test_read_only_token_may_not_apply(client, world, open_group):
    _, token = api_token_issue(user=world.parent, name="read", scopes=[ApiToken.Scope.APPLICATIONS_READ])
    assert client.get("/api/applications", **bearer(token)).status_code == 200
    response = client.post("/api/applications", apply_payload(world, open_group), content_type="application/json",
                           **bearer(token))
    body_of(response, 403, "token_scope_missing")
    assert not Application.objects.filter(group=open_group).exists()


def test_anonymous_request_is_not_authenticated(client, world):
    body_of(client.get("/api/applications"), 401, "not_authenticated")
    body_of(client.get(f"/api/applications/{world.application.pk}"), 401, "not_authenticated")


# --- session --------------------------------------------------------------------------------------------------


def test_session_reads_without_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.parent)
    response = client.get("/api/applications")
    assert response.status_code == 200
    assert world.application.pk in [a["id"] for a in response.json()]


def test_session_post_needs_the_csrf_token(world, open_group):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.parent)
    refused = client.post("/api/applications", apply_payload(world, open_group), content_type="application/json")
    body_of(refused, 403, "csrf_failed")
    assert not Application.objects.filter(group=open_group).exists()

    client.get("/")  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post("/api/applications", apply_payload(world, open_group), content_type="application/json",
                           HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201, accepted.content
    assert Application.objects.filter(group=open_group, child=world.child).count() == 1


def test_bearer_post_needs_no_csrf(world, open_group):
    client = Client(enforce_csrf_checks=True)
    _, token = api_token_issue(user=world.parent, name="t")
    response = client.post("/api/applications", apply_payload(world, open_group), content_type="application/json",
                           **bearer(token))
    assert response.status_code == 201, response.content


# --- managing tokens through the API --------------------------------------------------------------------------


def test_token_is_shown_once_then_listed_without_it(client, parent):
    client.force_login(parent)
    issued = client.post("/api/tokens", {"name": "скрипт"}, content_type="application/json")
    assert issued.status_code == 201, issued.content
    token = issued.json()["token"]
    assert client.get("/api/applications", **bearer(token)).status_code == 200
    listed = client.get("/api/tokens").json()
    assert [t["name"] for t in listed] == ["скрипт"]
    assert "token" not in listed[0] and token not in str(listed)


def test_revoke_through_api_and_only_own_tokens(client, parent, org_admin):
    theirs, _ = api_token_issue(user=org_admin, name="чужой")
    mine, token = api_token_issue(user=parent, name="мой")
    client.force_login(parent)
    body_of(client.post(f"/api/tokens/{theirs.pk}/revoke"), 404, "not_found")
    assert client.post(f"/api/tokens/{mine.pk}/revoke").json()["revoked_at"]
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    body_of(client.get("/api/applications", **bearer(token)), 401, "token_invalid")


def test_a_token_cannot_mint_tokens(client, parent):
    _, token = api_token_issue(user=parent, name="t")
    body_of(client.post("/api/tokens", {"name": "x"}, content_type="application/json", **bearer(token)), 401,
            "not_authenticated")
    assert ApiToken.objects.filter(user=parent).count() == 1


def test_unknown_scope_is_a_validation_error(client, parent):
    client.force_login(parent)
    body_of(client.post("/api/tokens", {"name": "x", "scopes": ["admin"]}, content_type="application/json"), 422,
            "validation_error")
