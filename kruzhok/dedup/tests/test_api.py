"""``/api/dedup``: the candidate list and one pair explained, for territory admins only, scoped to their
territory, with the API's structured errors."""

from __future__ import annotations

import pytest

from kruzhok import factories as f
from kruzhok.accounts.api_auth import api_token_issue
from kruzhok.accounts.models import Role
from kruzhok.dedup.jobs import search
from kruzhok.dedup.models import Candidate, CandidateStatus
from kruzhok.dedup.services import candidate_decide
from kruzhok.dedup.tests.test_search_and_pages import duplicates  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(world, duplicates):  # noqa: F811
    search(params={"municipality": world.a1.pk})
    return duplicates


def bearer(user, scopes=("applications:read",)) -> dict:
    _row, token = api_token_issue(user=user, name="dedup", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.mark.parametrize("user", ["municipal_admin", "regional_admin"])
def test_territory_admin_lists_candidates_heaviest_first(client, world, queued, user):
    response = client.get("/api/dedup/candidates", **bearer(getattr(world, user)))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4 == len(body["items"])
    weights = [item["match_weight"] for item in body["items"]]
    assert weights == sorted(weights, reverse=True)
    item = body["items"][0]
    assert {"id", "child_a", "child_b", "status", "cluster", "match_probability"} <= set(item)
    assert item["child_a"]["id"] < item["child_b"]["id"] and item["status"] == "open"


def test_list_filters_by_status_and_pages(client, world, queued):
    pair = Candidate.objects.order_by("pk").first()
    candidate_decide(candidate=pair, decision=CandidateStatus.NOT_DUPLICATE, actor=world.municipal_admin)
    headers = bearer(world.municipal_admin)
    assert client.get("/api/dedup/candidates", **headers).json()["count"] == 3
    decided = client.get("/api/dedup/candidates?status=not_duplicate", **headers).json()
    assert [i["id"] for i in decided["items"]] == [pair.pk]
    page = client.get("/api/dedup/candidates?limit=2&offset=2", **headers).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    bad = client.get("/api/dedup/candidates?status=nonsense", **headers)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    assert client.get("/api/dedup/candidates?limit=0", **headers).status_code == 422


def test_detail_explains_the_pair(client, world, queued):
    _alia, _twin, boy = queued
    pair = Candidate.objects.get(child_a__in=boy)
    response = client.get(f"/api/dedup/candidates/{pair.pk}", **bearer(world.municipal_admin))
    assert response.status_code == 200
    body = response.json()
    assert body["child_a"]["surname"] == "Оспанов"
    dob = next(c for c in body["contributions"] if c["field"] == "dob")
    assert dob["level"] == "day and month swapped" and dob["weight"] > 0
    assert dob["label"] == "дата рождения"
    rows = {r["name"]: r for r in body["fields"]}
    assert rows["birth_date"]["same"] is False and rows["surname"]["same"] is True
    assert rows["birth_date"]["a"] < rows["birth_date"]["b"] or rows["birth_date"]["a"] > rows["birth_date"]["b"]
    assert body["cluster_pairs"] == [] and body["conflicts"] == []


def test_group_of_three_lists_its_other_pairs(client, world, queued):
    alia, _twin, _boy = queued
    pair = Candidate.objects.get(child_a=alia[0], child_b=alia[1])
    body = client.get(f"/api/dedup/candidates/{pair.pk}", **bearer(world.municipal_admin)).json()
    assert len(body["cluster_pairs"]) == 2


@pytest.mark.parametrize("user", ["org_admin", "outsider", "teacher", "parent"])
def test_others_are_refused(client, world, queued, user):
    pair = Candidate.objects.first()
    for url in ("/api/dedup/candidates", f"/api/dedup/candidates/{pair.pk}"):
        response = client.get(url, **bearer(getattr(world, user)))
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


def test_another_territory_sees_nothing(client, world, queued):
    pair = Candidate.objects.first()
    b1_admin = f.UserFactory(email="b1-admin@example.org")
    f.grant(b1_admin, Role.MUNICIPAL_ADMIN, municipality=world.b1)
    headers = bearer(b1_admin)
    assert client.get("/api/dedup/candidates", **headers).json()["count"] == 0
    response = client.get(f"/api/dedup/candidates/{pair.pk}", **headers)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_session_works_and_anonymous_is_refused(client, world, queued):
    assert client.get("/api/dedup/candidates").status_code == 401
    client.force_login(world.municipal_admin)
    assert client.get("/api/dedup/candidates").json()["count"] == 4
