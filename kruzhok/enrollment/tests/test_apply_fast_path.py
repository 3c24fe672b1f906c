"""The apply request's fast path (``kruzhok.enrollment.fastapply``, wrapped around the WSGI application) answers
exactly as the API route does, or leaves the request to it.

Each request goes through WSGI as gunicorn sends it: once through the wrapper, and — for the comparison — a twin
request straight to Django. On PostgreSQL the common case is answered by the fast path (``served``); every other
case, and everything on SQLite, is Django's own answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.accounts.api_auth import api_token_issue
from kruzhok.accounts.models import ApiToken
from kruzhok.catalog.models import Group
from kruzhok.enrollment.fastapply import ApplyFastPath
from kruzhok.enrollment.models import Application, ApplicationStatus, ApplicationStatusChange
from kruzhok.enrollment.tests import test_api_applications

S = ApplicationStatus
family = test_api_applications.family  # the fixture: two families, an open group, a token each
TIMES = ("submitted_at", "status_changed_at", "answer_due_at", "decided_at")


@pytest.fixture
def apps(settings):
    """The wrapped and the bare WSGI application. As Django's test client does, the connection is not closed
    around requests: the test's transaction lives on it (the fast path writes in a savepoint then)."""
    settings.KRUZHOK_NOTIFY_INLINE = False
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    django_app = WSGIHandler()
    try:
        yield ApplyFastPath(django_app), django_app
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def post(app, token: str | None, child_id, group_id, *, key: str | None = None, body: bytes | None = None,
         **headers) -> tuple[int, dict, dict]:
    extra = ({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}) | (
        {"HTTP_IDEMPOTENCY_KEY": key} if key else {}) | headers
    data = body if body is not None else json.dumps({"child_id": child_id, "group_id": group_id}).encode()
    request = RequestFactory().generic("POST", "/api/applications", data, content_type="application/json", **extra)
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, response_headers

    chunks = app(request.environ, start_response)
    content = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    answer_headers = {name: value for name, value in seen["headers"] if name.lower() != "content-length"}
    return int(seen["status"].split()[0]), answer_headers, json.loads(content)


def shape(body: dict, *, child: bool = True) -> dict:
    """The answer with what differs between two applications (ids, times, the child) reduced to its form."""
    out = dict(body)
    out["id"] = out["url"] = None
    for name in TIMES:
        out[name] = re.sub(r"\d", "0", out[name]) if out[name] else None
    if child:
        out["child"] = None
    return out


def fast_expected(is_postgres: bool) -> int:
    return 1 if is_postgres else 0


def test_invited_answer_is_the_routes_answer(family, apps, is_postgres):
    fast, django_app = apps
    status, headers, body = post(fast, family.token_a, family.child.pk, family.open_group.pk, key="k1")
    twin_status, twin_headers, twin = post(django_app, family.token_a, family.sibling.pk, family.open_group.pk,
                                           key="k2")
    assert (status, twin_status) == (201, 201), (body, twin)
    assert fast.served == fast_expected(is_postgres)
    assert shape(body) == shape(twin)
    assert json.dumps(shape(body)) == json.dumps(shape(twin))  # in the same order too
    assert body["status"]["code"] == S.INVITED
    assert body["child"] == {"id": family.child.pk, "name": str(family.child)}
    assert headers == twin_headers
    application = Application.objects.get(pk=body["id"])
    assert (application.child_id, application.group_id, application.status) == (
        family.child.pk, family.open_group.pk, S.INVITED)
    assert application.submitted_by == family.parent
    assert application.idempotency_key and application.answer_due_at > application.submitted_at
    assert list(application.history.values_list("from_status", "to_status", "actor")) == [
        ("", S.INVITED, family.parent.pk)]
    assert Group.objects.get(pk=family.open_group.pk).held_count == 2
    assert ApiToken.objects.get(user=family.parent).last_used_at is not None
    for name in TIMES:  # the answer's times are the stored ones (to the millisecond the API shows)
        assert abs(dt.datetime.fromisoformat(body[name]) - getattr(application, name)) < dt.timedelta(
            milliseconds=1), name


def test_waitlisted_answer_in_kazakh_is_the_routes_answer(family, apps, is_postgres):
    fast, django_app = apps
    family.programme.title_kk = "Робототехника (қаз.)"
    family.programme.save(update_fields=["title_kk"])
    full = f.GroupFactory(programme=family.programme, capacity=1, name="Толық")
    third = f.ChildFactory(municipality=family.child.municipality)
    f.GuardianLinkFactory(guardian=family.guardian, child=third)
    assert post(django_app, family.token_a, third.pk, full.pk)[0] == 201  # takes the seat
    status, headers, body = post(fast, family.token_a, family.child.pk, full.pk, HTTP_ACCEPT_LANGUAGE="kk")
    twin_status, twin_headers, twin = post(django_app, family.token_a, family.sibling.pk, full.pk,
                                           HTTP_ACCEPT_LANGUAGE="kk")
    assert (status, twin_status) == (201, 201)
    assert fast.served == fast_expected(is_postgres)
    assert body["status"]["code"] == S.WAITLISTED
    assert body["group"]["programme_title"] == "Робототехника (қаз.)"
    assert shape(body) == shape(twin)
    assert headers == twin_headers  # (Content-Language: the middleware's, as the route's)


def test_a_replayed_key_gets_the_first_application_and_a_reused_key_is_refused(family, apps, is_postgres):
    fast, _ = apps
    first = post(fast, family.token_a, family.child.pk, family.open_group.pk, key="same")
    again = post(fast, family.token_a, family.child.pk, family.open_group.pk, key="same")
    other = post(fast, family.token_a, family.sibling.pk, family.open_group.pk, key="same")
    assert first[0] == 201 and again[0] == 200 and again[2]["id"] == first[2]["id"]
    assert other[0] == 409 and other[2]["code"] == "idempotency_key_reused"
    assert fast.served == fast_expected(is_postgres)
    assert Application.objects.filter(child=family.child, group=family.open_group).count() == 1


def test_a_second_open_application_is_refused(family, apps, is_postgres):
    fast, _ = apps
    assert post(fast, family.token_a, family.child.pk, family.open_group.pk, key="a")[0] == 201
    status, _, body = post(fast, family.token_a, family.child.pk, family.open_group.pk, key="b")
    assert (status, body["code"]) == (409, "application_one_open_per_group")
    assert fast.served == fast_expected(is_postgres)


def _refusals(family) -> dict[str, tuple]:
    """Requests the fast path leaves to Django: (token, child, group, extra headers, status, code)."""
    _, no_write = api_token_issue(user=family.parent, name="read", scopes=[ApiToken.Scope.APPLICATIONS_READ])
    _, staff = api_token_issue(user=family.org_admin, name="staff")
    closed = f.GroupFactory(programme=family.programme, enrollment_closes_at=timezone.now() - dt.timedelta(days=1))
    hidden = f.GroupFactory(programme=f.ProgrammeFactory(organization=family.org, status="draft"))
    return {
        "unknown token": ("kzh_nope", family.child.pk, family.open_group.pk, {}, 401, "token_invalid"),
        "no write scope": (no_write, family.child.pk, family.open_group.pk, {}, 403, "token_scope_missing"),
        "not a parent": (staff, family.child.pk, family.open_group.pk, {}, 403, "not_a_parent"),
        "another family's child": (family.token_a, family.other_child.pk, family.open_group.pk, {}, 404,
                                   "not_found"),
        "unknown child": (family.token_a, 10**9, family.open_group.pk, {}, 404, "not_found"),
        "unknown group": (family.token_a, family.child.pk, 10**9, {}, 404, "not_found"),
        "hidden group": (family.token_a, family.child.pk, hidden.pk, {}, 404, "not_found"),
        "closed window": (family.token_a, family.child.pk, closed.pk, {}, 409, "cannot_apply"),
        "long key": (family.token_a, family.child.pk, family.open_group.pk, {"HTTP_IDEMPOTENCY_KEY": "k" * 201},
                     422, "validation_error"),
    }


def test_refusals_are_the_routes_own(family, apps):
    fast, django_app = apps
    for name, (token, child_id, group_id, headers, status, code) in _refusals(family).items():
        got = post(fast, token, child_id, group_id, **headers)
        reference = post(django_app, token, child_id, group_id, **headers)
        assert got == reference, name
        assert (got[0], got[2]["code"]) == (status, code), name
    assert fast.served == 0
    assert not Application.objects.filter(group=family.open_group).exists()


@pytest.mark.parametrize("body", [b'{"child_id": "CHILD", "group_id": GROUP}', b'{"child_id": CHILD}', b"[1, 2]",
                                  b"{not json"])
def test_unusual_bodies_are_left_to_the_route(family, apps, body):
    fast, _ = apps
    body = body.replace(b"CHILD", str(family.child.pk).encode()).replace(b"GROUP", str(family.open_group.pk).encode())
    status, _, answer = post(fast, family.token_a, None, None, body=body)
    assert fast.served == 0
    if body.startswith(b'{"child_id": "'):  # the route's schema takes "12" for 12
        assert status == 201
    else:
        assert status in (400, 422), answer


def test_children_waiting_while_a_seat_is_free_go_first(family, apps):
    fast, _ = apps
    group = f.GroupFactory(programme=family.programme, capacity=1)
    waiting = f.ApplicationFactory(child=f.ChildFactory(), group=group, status=S.WAITLISTED)
    status, _, body = post(fast, family.token_a, family.child.pk, group.pk)
    assert fast.served == 0
    assert status == 201 and body["status"]["code"] == S.WAITLISTED
    assert Application.objects.get(pk=waiting.pk).status == S.INVITED


def test_a_lottery_group_is_left_to_the_route(family, apps):
    fast, _ = apps
    now = timezone.now()
    group = f.GroupFactory(programme=family.programme, allocation=Group.Allocation.LOTTERY,
                           enrollment_opens_at=now - dt.timedelta(hours=1),
                           lottery_window_ends_at=now + dt.timedelta(hours=1))
    status, _, body = post(fast, family.token_a, family.child.pk, group.pk)
    assert (status, body["status"]["code"], fast.served) == (201, S.SUBMITTED, 0)


def test_other_requests_pass_through(family, apps):
    fast, _ = apps
    request = RequestFactory().get("/api/applications", HTTP_AUTHORIZATION=f"Bearer {family.token_a}")
    seen = {}
    content = b"".join(fast(request.environ, lambda status, headers, exc_info=None: seen.update(status=status)))
    assert seen["status"].startswith("200") and isinstance(json.loads(content), list)
    assert fast.served == 0


@pytest.mark.postgres
def test_the_fast_path_writes_one_status_change_and_commits_once(family, apps):
    fast, _ = apps
    group = f.GroupFactory(programme=family.programme, capacity=1)
    first = post(fast, family.token_a, family.child.pk, group.pk)
    second = post(fast, family.token_a, family.sibling.pk, group.pk)
    assert (first[2]["status"]["code"], second[2]["status"]["code"]) == (S.INVITED, S.WAITLISTED)
    assert fast.served == 2
    assert ApplicationStatusChange.objects.filter(application__group=group).count() == 2
    assert Group.objects.get(pk=group.pk).held_count == 1
