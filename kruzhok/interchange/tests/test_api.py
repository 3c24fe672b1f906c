"""The registries' JSON API: scoped reads with pagination, upserts as import rows, personal ids by role."""

from __future__ import annotations

import pytest

from kruzhok.accounts.api_auth import api_token_issue
from kruzhok.accounts.models import ApiToken
from kruzhok.interchange.api import READ_SCOPE, WRITE_SCOPE
from kruzhok.people.models import Child

pytestmark = pytest.mark.django_db


def bearer(user, scopes=(READ_SCOPE, WRITE_SCOPE)):
    _row, token = api_token_issue(user=user, name="t", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_reads_are_scoped_and_paginated(world, client):
    org_admin = bearer(world.org_admin)
    resp = client.get("/api/registry/organizations", **org_admin)
    assert resp.status_code == 200
    assert [o["id"] for o in resp.json()["items"]] == [world.org.pk]
    resp = client.get("/api/registry/children?limit=1&offset=0", **bearer(world.regional_admin))
    data = resp.json()
    assert data["limit"] == 1 and len(data["items"]) == 1
    assert data["count"] == Child.objects.filter(municipality__region=world.region_a).count()
    assert client.get(f"/api/registry/groups/{world.far_group.pk}", **org_admin).status_code == 404
    assert client.get(f"/api/registry/groups/{world.group.pk}", **org_admin).json()["schedule"]


def test_national_ids_only_for_roles_that_see_them(world, client):
    world.child.national_id_kind, world.child.national_id = "snils", "11223344595"
    world.child.save()
    seen = client.get(f"/api/registry/children/{world.child.pk}", **bearer(world.municipal_admin)).json()
    hidden = client.get(f"/api/registry/children/{world.child.pk}", **bearer(world.org_admin)).json()
    assert seen["national_id"] == "11223344595"
    assert hidden["national_id"] is None and hidden["phone"] is None


def test_upsert_is_an_import_row(world, client):
    auth = bearer(world.municipal_admin)
    body = {"municipality": "A1", "name": "Станция юных техников", "short_name": "СЮТ", "org_type": "supplementary",
            "tax_id": "7712345678"}
    resp = client.post("/api/registry/organizations", body, content_type="application/json", **auth)
    assert resp.status_code == 201 and resp.json()["outcome"] == "created"
    again = client.post("/api/registry/organizations", body, content_type="application/json", **auth)
    assert again.status_code == 200 and again.json() == {"outcome": "unchanged", "id": resp.json()["id"]}
    bad = client.post("/api/registry/organizations", {**body, "municipality": "B1"},
                      content_type="application/json", **auth)
    assert bad.status_code == 422 and bad.json()["code"] == "row_refused"
    assert bad.json()["details"][0]["column"] == "municipality"


def test_scopes_and_auth(world, client):
    read_only = bearer(world.org_admin, scopes=[READ_SCOPE])
    assert client.get("/api/registry/venues", **read_only).status_code == 200
    resp = client.post("/api/registry/venues", {"organization": "x", "name": "y", "settlement": "z",
                                                "address": "a"}, content_type="application/json", **read_only)
    assert resp.status_code == 403 and resp.json()["code"] == "token_scope_missing"
    assert client.get("/api/registry/venues").json()["code"] == "not_authenticated"
    assert ApiToken.objects.count() == 1
