"""The API's OpenAPI schema loads, is valid OpenAPI 3, documents every route with its error shape, and the docs
page answers."""

from __future__ import annotations

import pytest

ROUTES = {
    ("/api/catalog/programmes", "get"), ("/api/programmes/{programme_id}", "get"), ("/api/groups/{group_id}", "get"),
    ("/api/applications", "get"), ("/api/applications", "post"), ("/api/applications/{application_id}", "get"),
    ("/api/applications/{application_id}/withdraw", "post"),
    ("/api/tokens", "get"), ("/api/tokens", "post"), ("/api/tokens/{token_id}/revoke", "post"),
    ("/api/dedup/candidates", "get"), ("/api/dedup/candidates/{candidate_id}", "get"),
    *{(f"/api/monitoring/{name}", "get") for name in (
        "breakdown/{by}", "cards", "clubs-per-child", "coverage", "group-fill", "programmes", "staffing",
        "timeliness", "trend")},
    *{(f"/api/registry/{registry}", method) for registry in (
        "children", "enrollments", "groups", "organizations", "programmes", "teachers", "venues")
      for method in ("get", "post")},
    *{(f"/api/registry/{registry}/{{item_id}}", "get") for registry in (
        "children", "enrollments", "groups", "organizations", "programmes", "teachers", "venues")},
}


@pytest.fixture
def schema(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_schema_lists_every_route(schema):
    assert schema["openapi"].startswith("3.")
    found = {(path, method) for path, ops in schema["paths"].items() for method in ops}
    assert found == ROUTES


def test_schema_is_valid_openapi(schema):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(schema)


def test_application_routes_document_auth_and_errors(schema):
    create = schema["paths"]["/api/applications"]["post"]
    assert {"200", "201", "401", "403", "404", "409", "422"} <= set(create["responses"])
    assert create["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    schemes = {name for requirement in create["security"] for name in requirement}
    assert {"BearerToken", "Session"} <= schemes
    headers = {p["name"] for p in create["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers
    assert "security" not in schema["paths"]["/api/catalog/programmes"]["get"]


def test_docs_page_answers_without_a_cdn(client, db):
    """A closed network has no CDN: with ``ninja`` in INSTALLED_APPS the page uses the vendored Swagger UI."""
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
    assert b"cdn.jsdelivr.net" not in response.content
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
