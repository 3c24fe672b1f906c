"""The same apply request sent several times at once (a client retrying on a timeout) commits one application;
every answer names it. Runs on both databases; the rows really commit (transactional test)."""

from __future__ import annotations

import pytest
from django.test import Client

from kruzhok import factories as f
from kruzhok.accounts.api_auth import api_token_issue
from kruzhok.enrollment.models import Application
from kruzhok.enrollment.tests.test_capacity_race import run_together


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_with_one_key_make_one_application():
    user = f.UserFactory(password=None)
    guardian = f.GuardianFactory(user=user)
    child = f.ChildFactory()
    f.GuardianLinkFactory(guardian=guardian, child=child)
    group = f.GroupFactory(capacity=3)
    _, token = api_token_issue(user=user, name="t")

    def send(_: int):
        response = Client().post("/api/applications", {"child_id": child.pk, "group_id": group.pk},
                                 content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
                                 HTTP_IDEMPOTENCY_KEY="double-click")
        return response.status_code, response.json()

    results = run_together(6, send)
    assert all(isinstance(r, tuple) for r in results), results
    assert {status for status, _ in results} <= {200, 201}
    assert len({body["id"] for _, body in results}) == 1, results
    assert Application.objects.filter(child=child, group=group).count() == 1
