"""The public catalog API: search with filters, a programme's card, a group's seats and window — no login, only
published programmes, no personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.catalog.models import Programme


@pytest.fixture
def catalog(world):
    """``world.programme`` (robotics, 7–14, org in A1) plus a paid remote chess programme for 5–9 in A2."""
    chess = f.ProgrammeFactory(organization=world.other_org, title="Шахматы для малышей", age_from=5, age_to=9,
                               funding=Programme.Funding.PAID, price=1500, form=Programme.Form.REMOTE,
                               direction=f.direction("social"), adapted_ovz=True)
    chess_group = f.GroupFactory(programme=chess, capacity=2, name="Суббота")
    f.ScheduleSlotFactory(group=chess_group, weekday=6, starts_at=dt.time(10), ends_at=dt.time(11))
    draft = f.ProgrammeFactory(organization=world.org, title="Черновик шахмат", status=Programme.Status.DRAFT)
    f.GroupFactory(programme=draft)
    world.chess, world.chess_group, world.draft = chess, chess_group, draft
    return world


def search(client, **params) -> set[int]:
    response = client.get("/api/catalog/programmes", params)
    assert response.status_code == 200, response.content
    return {p["id"] for p in response.json()["items"]}


def test_search_needs_no_login_and_lists_only_published(client, catalog):
    found = search(client)
    assert catalog.chess.pk in found and catalog.programme.pk in found
    assert catalog.draft.pk not in found


@pytest.mark.parametrize(("params", "expect_chess", "expect_robotics"), [
    ({"q": "шахматы"}, True, False),
    ({"q": "шахмты"}, True, False),  # a typo is forgiven
    ({"age": 6}, True, False),
    ({"age": 12}, False, True),
    ({"birth_date": "six years ago"}, True, False),
    ({"funding": "paid"}, True, False),
    ({"form": "remote"}, True, False),
    ({"adapted_ovz": "true"}, True, False),
    ({"direction": "social"}, True, False),
    ({"weekdays": 6}, True, False),
    ({"weekdays": 1, "time_from": "14:00", "time_to": "17:00"}, False, True),
])
def test_filters(client, catalog, params, expect_chess, expect_robotics):
    if params.get("birth_date"):
        today = timezone.localdate()
        params = {"birth_date": today.replace(year=today.year - 6, day=min(today.day, 28)).isoformat()}
    found = search(client, **params)
    assert (catalog.chess.pk in found) is expect_chess
    assert (catalog.programme.pk in found) is expect_robotics


def test_filter_by_municipality_and_organization(client, catalog):
    assert search(client, municipality=catalog.a2.pk) >= {catalog.chess.pk}
    assert catalog.programme.pk not in search(client, municipality=catalog.a2.pk)
    assert search(client, organization=catalog.org.pk) == {catalog.programme.pk}


def test_seats_and_open_window_filters(client, catalog):
    for _ in range(2):
        f.EnrollmentFactory(group=catalog.chess_group)
    assert catalog.chess.pk not in search(client, seats="true")
    assert catalog.programme.pk in search(client, seats="true")
    catalog.group.enrollment_opens_at = timezone.now() + dt.timedelta(days=1)
    catalog.group.save()
    assert catalog.programme.pk not in search(client, open="true")


def test_paging(client, catalog):
    body = client.get("/api/catalog/programmes", {"per_page": 1, "page": 2}).json()
    assert body["count"] >= 4 and len(body["items"]) == 1 and body["page"] == 2
    assert body["num_pages"] == body["count"]
    assert client.get("/api/catalog/programmes", {"per_page": 500}).json()["code"] == "validation_error"


def test_hits_list_their_matching_groups(client, catalog):
    items = client.get("/api/catalog/programmes", {"q": "шахматы", "weekdays": 6}).json()["items"]
    hit = next(i for i in items if i["id"] == catalog.chess.pk)
    assert [g["id"] for g in hit["groups"]] == [catalog.chess_group.pk]
    assert hit["groups"][0]["schedule"][0]["weekday_name"]


def test_programme_card(client, catalog):
    response = client.get(f"/api/programmes/{catalog.programme.pk}")
    assert response.status_code == 200
    card = response.json()
    assert card["title"] == catalog.programme.title
    assert card["organization"]["short_name"] == "ДДТ А1"
    group = next(g for g in card["groups"] if g["id"] == catalog.group.pk)
    assert group["seats_left"] == catalog.group.capacity - 1  # one child enrolled in the world
    assert group["schedule"][0]["weekday"] == 1
    assert group["teachers"] == [str(catalog.teacher_profile)]
    assert group["window"]["open_now"] is True


def test_programme_card_in_kazakh_falls_back_to_russian(client, catalog):
    catalog.chess.title_kk = "Балаларға арналған шахмат"
    catalog.chess.save()
    kk = client.get(f"/api/programmes/{catalog.chess.pk}", HTTP_ACCEPT_LANGUAGE="kk").json()
    robotics = client.get(f"/api/programmes/{catalog.programme.pk}", HTTP_ACCEPT_LANGUAGE="kk").json()
    assert kk["title"] == "Балаларға арналған шахмат"
    assert robotics["title"] == catalog.programme.title


def test_group_card_and_queries(client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get(f"/api/groups/{catalog.chess_group.pk}")
    assert response.status_code == 200
    card = response.json()
    assert (card["capacity"], card["seats_left"]) == (2, 2)
    assert card["programme"]["id"] == catalog.chess.pk
    assert card["window"]["allocation"]["code"] == "queue"


def test_unpublished_and_unknown_answer_404(client, catalog):
    draft_group = catalog.draft.groups.get()
    for url in (f"/api/programmes/{catalog.draft.pk}", f"/api/groups/{draft_group.pk}", "/api/groups/999999"):
        body = client.get(url).json()
        assert body["code"] == "not_found", url


def test_no_personal_data_in_public_answers(client, catalog):
    text = client.get(f"/api/programmes/{catalog.programme.pk}").content.decode()
    text += client.get(f"/api/groups/{catalog.group.pk}").content.decode()
    text += client.get("/api/catalog/programmes").content.decode()
    for child in (catalog.child, catalog.sibling, catalog.other_child):
        assert child.surname not in text
    assert catalog.guardian.surname not in text and "parent@example.org" not in text
