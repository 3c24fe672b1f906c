"""The applications API: apply, list, read, withdraw — for the family's own children only, idempotent, with
errors as ``{code, message, details}``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from kruzhok import factories as f
from kruzhok.accounts.api_auth import api_token_issue
from kruzhok.enrollment.models import Application, ApplicationStatus, ApplicationStatusChange

S = ApplicationStatus


@pytest.fixture
def family(world):
    """Parent A (``world.parent``: ``child`` and ``sibling``) and parent B (``other_child``), each with a token."""
    parent_b = f.UserFactory(email="parent-b@example.org")
    world.other_guardian.user = parent_b
    world.other_guardian.save(update_fields=["user"])
    open_group = f.GroupFactory(programme=world.programme, capacity=2, name="Открытая")
    _, token_a = api_token_issue(user=world.parent, name="A")
    _, token_b = api_token_issue(user=parent_b, name="B")
    world.parent_b, world.open_group, world.token_a, world.token_b = parent_b, open_group, token_a, token_b
    return world


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def apply(client, token, child, group, key=None):
    headers = bearer(token) | ({"HTTP_IDEMPOTENCY_KEY": key} if key else {})
    return client.post("/api/applications", {"child_id": child.pk, "group_id": group.pk},
                       content_type="application/json", **headers)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


# --- applying ------------------------------------------------------------------------------------------------


def test_apply_invites_while_seats_are_free(client, family):
    response = apply(client, family.token_a, family.child, family.open_group, key="k-1")
    assert response.status_code == 201, response.content
    body = response.json()
    application = Application.objects.get(pk=body["id"])
    assert (application.child, application.group, application.status) == (family.child, family.open_group, S.INVITED)
    assert application.submitted_by == family.parent
    assert body["status"]["code"] == S.INVITED
    assert body["child"] == {"id": family.child.pk, "name": str(family.child)}
    assert body["group"]["id"] == family.open_group.pk


def test_apply_path_stays_within_its_query_budget(client, family, django_assert_max_num_queries):
    """Token (and its last use), grants, child (scoped), group, then the service: seats, who waits, two inserts —
    plus the savepoint pair the test's transaction turns BEGIN and COMMIT into."""
    with django_assert_max_num_queries(11):
        response = apply(client, family.token_a, family.child, family.open_group, key="budget")
    assert response.status_code == 201


def test_same_idempotency_key_returns_the_same_application(client, family):
    first = apply(client, family.token_a, family.child, family.open_group, key="retry-me")
    second = apply(client, family.token_a, family.child, family.open_group, key="retry-me")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Application.objects.filter(child=family.child, group=family.open_group).count() == 1
    assert ApplicationStatusChange.objects.filter(application_id=first.json()["id"]).count() == 1


def test_idempotency_key_reused_for_another_request_is_refused(client, family):
    apply(client, family.token_a, family.child, family.open_group, key="once")
    response = apply(client, family.token_a, family.sibling, family.open_group, key="once")
    assert_error(response, 409, "idempotency_key_reused")
    assert not Application.objects.filter(child=family.sibling, group=family.open_group).exists()


def test_idempotency_keys_of_two_families_do_not_meet(client, family):
    a = apply(client, family.token_a, family.child, family.open_group, key="same-key")
    b = apply(client, family.token_b, family.other_child, family.open_group, key="same-key")
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


def test_second_open_application_without_key_is_a_conflict(client, family):
    assert apply(client, family.token_a, family.child, family.open_group).status_code == 201
    response = apply(client, family.token_a, family.child, family.open_group)
    assert_error(response, 409, "application_one_open_per_group")
    assert Application.objects.filter(child=family.child, group=family.open_group).count() == 1


def test_full_group_waitlists_in_receive_order(client, family):
    statuses = [apply(client, family.token_a, c, family.open_group).json()["status"]["code"]
                for c in (family.child, family.sibling)]
    late = apply(client, family.token_b, family.other_child, family.open_group).json()
    assert statuses == [S.INVITED, S.INVITED]
    assert late["status"]["code"] == S.WAITLISTED
    detail = client.get(late["url"], **bearer(family.token_b)).json()
    assert detail["queue_position"] == 1


def test_window_not_open_is_refused_with_the_opening_time(client, family):
    opens = timezone.now() + dt.timedelta(days=3)
    family.open_group.enrollment_opens_at = opens
    family.open_group.save()
    response = apply(client, family.token_a, family.child, family.open_group)
    body = assert_error(response, 409, "cannot_apply")
    assert str(timezone.localtime(opens).year) in body["message"]
    assert not Application.objects.filter(group=family.open_group).exists()


def test_error_message_follows_accept_language(client, family):
    family.open_group.is_active = False
    family.open_group.save()
    ru = apply(client, family.token_a, family.child, family.open_group).json()["message"]
    en = client.post("/api/applications", {"child_id": family.child.pk, "group_id": family.open_group.pk},
                     content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **bearer(family.token_a))
    assert ru == "Группа не набирает детей."
    assert en.json()["code"] == "cannot_apply"
    with translation.override("en"):
        assert en.json()["message"] == gettext("Группа не набирает детей.")


def test_unknown_group_and_unpublished_programme_answer_404(client, family):
    assert_error(apply(client, family.token_a, family.child, f.GroupFactory.build(pk=999_999)), 404, "not_found")
    draft = f.GroupFactory(programme=f.ProgrammeFactory(status="draft"))
    assert_error(apply(client, family.token_a, family.child, draft), 404, "not_found")


def test_invalid_body_is_a_validation_error(client, family):
    response = client.post("/api/applications", {"child_id": "x"}, content_type="application/json",
                           **bearer(family.token_a))
    body = assert_error(response, 422, "validation_error")
    assert {tuple(d["loc"][-1:]) for d in body["details"]} >= {("child_id",), ("group_id",)}


def test_staff_without_children_may_not_apply(client, family):
    _, token = api_token_issue(user=family.org_admin, name="staff")
    assert_error(apply(client, token, family.child, family.open_group), 403, "not_a_parent")


# --- scoping ------------------------------------------------------------------------------------------------


def test_parent_cannot_apply_another_familys_child(client, family):
    response = apply(client, family.token_a, family.other_child, family.open_group, key="steal")
    assert_error(response, 404, "not_found")
    assert not Application.objects.filter(child=family.other_child, group=family.open_group).exists()


def test_parent_cannot_read_or_withdraw_another_familys_application(client, family):
    theirs = apply(client, family.token_b, family.other_child, family.open_group).json()
    assert_error(client.get(theirs["url"], **bearer(family.token_a)), 404, "not_found")
    assert_error(client.post(theirs["url"] + "/withdraw", **bearer(family.token_a)), 404, "not_found")
    assert Application.objects.get(pk=theirs["id"]).status == S.INVITED
    assert theirs["id"] not in [a["id"] for a in client.get("/api/applications", **bearer(family.token_a)).json()]


def test_list_shows_exactly_my_familys_applications(client, family):
    apply(client, family.token_b, family.other_child, family.open_group)
    mine = apply(client, family.token_a, family.child, family.open_group).json()
    listed = client.get("/api/applications", **bearer(family.token_a)).json()
    expected = set(Application.objects.filter(child__in=[family.child, family.sibling]).values_list("pk", flat=True))
    assert {a["id"] for a in listed} == expected
    assert mine["id"] in expected


# --- reading and withdrawing ----------------------------------------------------------------------------------


def test_detail_has_status_history_and_position(client, family):
    created = apply(client, family.token_a, family.child, family.open_group).json()
    detail = client.get(created["url"], **bearer(family.token_a)).json()
    assert detail["status"]["code"] == S.INVITED
    assert detail["queue_position"] is None
    assert [(h["from_status"], h["to_status"]["code"]) for h in detail["history"]] == [(None, S.INVITED)]


def test_withdraw_frees_the_seat_for_the_next_in_queue(client, family):
    first = apply(client, family.token_a, family.child, family.open_group).json()
    apply(client, family.token_a, family.sibling, family.open_group)
    waiting = apply(client, family.token_b, family.other_child, family.open_group).json()
    response = client.post(first["url"] + "/withdraw", **bearer(family.token_a))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"]["code"] == S.WITHDRAWN
    assert [h["to_status"]["code"] for h in body["history"]] == [S.INVITED, S.WITHDRAWN]
    assert Application.objects.get(pk=waiting["id"]).status == S.INVITED


def test_withdrawing_twice_is_a_conflict(client, family):
    created = apply(client, family.token_a, family.child, family.open_group).json()
    client.post(created["url"] + "/withdraw", **bearer(family.token_a))
    assert_error(client.post(created["url"] + "/withdraw", **bearer(family.token_a)), 409, "bad_transition")
