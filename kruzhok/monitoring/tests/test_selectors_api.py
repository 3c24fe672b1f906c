"""The monitoring API answers with the selectors' figures, only for territories the token's user monitors."""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok.accounts.api_auth import api_token_issue
from kruzhok.monitoring import selectors as sel
from kruzhok.monitoring.aggregates import aggregates_refresh

ON = dt.date(2025, 10, 15)


def auth(user) -> dict:
    _row, token = api_token_issue(user=user, name="monitoring", scopes=["applications:read"])
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_municipal_admin_reads_own_municipality(client, world):
    headers = auth(world.municipal_admin)
    response = client.get("/api/monitoring/coverage", {"municipality": world.a1.pk, "on": ON, "age_from": 0},
                          **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    expected = sel.coverage_summary(f=sel.MonitoringFilter(on=ON, territory=world.a1, age_from=0))
    assert body["children"] == expected.children == 1
    assert body["source"] == "live" and body["filter"]["territory"]["id"] == world.a1.pk
    for path in ("/coverage", "/breakdown/direction", "/clubs-per-child", "/trend", "/programmes", "/group-fill",
                 "/cards", "/staffing"):
        assert client.get(f"/api/monitoring{path}", {"municipality": world.a1.pk, "on": ON},
                          **headers).status_code == 200, path
    assert client.get("/api/monitoring/timeliness", {"municipality": world.a1.pk, "start": "2025-09-01",
                                                     "end": "2025-10-15"}, **headers).status_code == 200


@pytest.mark.parametrize("params", [{"municipality": "a2"}, {"region": "region_a"}, {}])
def test_other_territories_are_refused(client, world, params):
    query = {k: getattr(world, v).pk for k, v in params.items()}
    response = client.get("/api/monitoring/coverage", query, **auth(world.municipal_admin))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_regional_admin_reads_region_from_aggregates(client, world):
    aggregates_refresh(on=ON)
    response = client.get("/api/monitoring/breakdown/municipality",
                          {"region": world.region_a.pk, "on": ON, "age_from": 0, "source": "aggregates"},
                          **auth(world.regional_admin))
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "aggregates" and body["computed_at"]
    assert {row["key"] for row in body["rows"]} == {str(world.a1.pk), str(world.a2.pk)}


def test_anonymous_and_bad_parameters(client, world):
    assert client.get("/api/monitoring/coverage").status_code == 401
    headers = auth(world.superuser)
    assert client.get("/api/monitoring/breakdown/shoe-size", **headers).status_code == 404
    assert client.get("/api/monitoring/coverage", {"age_from": 10, "age_to": 5}, **headers).status_code == 422
    assert client.get("/api/monitoring/coverage", {"source": "guess"}, **headers).status_code == 422
