"""The cabinet's pages cost the same number of queries however many children and applications a family has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kruzhok import factories as f
from kruzhok.enrollment.services import application_submit

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_cabinet_has_a_bounded_query_count(client, parent, world):
    client.force_login(parent)
    full = f.GroupFactory(programme=world.programme, capacity=1)
    application_submit(child=f.ChildFactory(), group=full, actor=None)
    application_submit(child=world.sibling, group=full, actor=parent)  # waiting
    urls = ["/cabinet/", f"/cabinet/apply/{full.pk}/", f"/cabinet/applications/{world.application.pk}/"]
    few = [queries(client, url) for url in urls]
    for i in range(5):  # more children, each waiting in a full group and enrolled somewhere
        child = f.ChildFactory(municipality=world.a1, name=f"Ребёнок{i}")
        f.GuardianLinkFactory(guardian=world.guardian, child=child)
        application_submit(child=child, group=full, actor=parent)
        f.EnrollmentFactory(child=child, group=f.GroupFactory(programme=world.programme))
    many = [queries(client, url) for url in urls]
    assert few == many
    assert max(many) <= 12
    assert len(client.get("/cabinet/").context["applications"]) == 7
