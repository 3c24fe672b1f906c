"""The child population (coverage denominator) is kept by territory admins, each for their own territory."""

from __future__ import annotations

import pytest

from kruzhok.accounts.tests import fixtures
from kruzhok.accounts.tests.admin_client import add_url, changelist_url
from kruzhok.territory.models import Population

full_world = fixtures.full_world  # the shared fixture, used by name


def post_population(client, municipality):
    return client.post(add_url(Population), {"municipality": municipality.pk, "year": 2026, "age": 7,
                                             "count": 350})


def test_municipal_admin_enters_own_population(client, full_world):
    client.force_login(full_world.municipal_admin)
    assert post_population(client, full_world.a1).status_code == 302
    assert Population.objects.filter(municipality=full_world.a1, year=2026, age=7, count=350).exists()


def test_municipal_admin_cannot_enter_a_neighbours_population(client, full_world):
    client.force_login(full_world.municipal_admin)
    assert post_population(client, full_world.a2).status_code == 403
    assert not Population.objects.filter(year=2026).exists()


@pytest.mark.parametrize("user", ["teacher", "org_admin", "outsider"])
def test_organizations_do_not_keep_population(client, full_world, user):
    client.force_login(getattr(full_world, user))
    assert client.get(changelist_url(Population)).status_code == 403
    assert post_population(client, full_world.a1).status_code == 403
    assert not Population.objects.filter(year=2026).exists()
