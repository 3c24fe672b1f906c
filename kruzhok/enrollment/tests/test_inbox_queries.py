"""The inbox pages cost the same number of queries however many applications and children they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kruzhok import factories as f
from kruzhok.enrollment.services import application_enroll, application_submit

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_families(world, group, n: int) -> None:
    for _ in range(n):
        child = f.ChildFactory(municipality=world.a1)
        f.GuardianLinkFactory(child=child)
        application_submit(child=child, group=group, actor=None)


def test_the_inbox_and_the_roster_have_bounded_query_counts(client, org_admin, world):
    group = f.GroupFactory(programme=world.programme, capacity=3)
    client.force_login(org_admin)
    add_families(world, group, 4)  # three invited, one waiting
    enroll_one(group)
    urls = ["/inbox/", "/inbox/?status=waitlisted", "/inbox/groups/", f"/inbox/groups/{group.pk}/",
            f"/inbox/applications/{world.application.pk}/"]
    few = [queries(client, url) for url in urls]
    add_families(world, group, 12)
    enroll_one(group)
    many = [queries(client, url) for url in urls]
    assert few == many
    assert max(many) <= 14


def enroll_one(group) -> None:
    application = group.applications.filter(status="invited").first()
    application_enroll(application=application, actor=None, start_date=f.TODAY)
