"""The demo municipality's dashboard shows the figures of the report it is modelled on (seed 002): 80 % coverage,
66.4 / 26 / 7.7 % of enrollments by organization type, 32 / 24 / 22 / 8 / 6 / 4 / 4 % by direction — within a few
percentage points, read from the page as its municipal admin sees it, live and from the aggregates.

The demo is built once for the module (it commits), and wiped at the end.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kruzhok.accounts.models import User
from kruzhok.catalog.models import Direction
from kruzhok.demo.spec import MAIN, NEIGHBOUR
from kruzhok.demo.town import demo_town_build
from kruzhok.demo.wipe import registry_data_wipe
from kruzhok.monitoring.aggregates import aggregates_refresh
from kruzhok.territory.models import Municipality

SEED = 7
TODAY = dt.date(2025, 10, 15)
SEED_002_TYPES = {"supplementary": 66.4, "school": 26.0, "kindergarten": 7.7}
SEED_002_DIRECTIONS = {"artistic": 32, "technical": 24, "sport": 22, "tourism": 8, "social": 6,
                       "military_patriotic": 4, "natural_science": 4}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        registry_data_wipe()
        demo_town_build(seed=SEED, today=TODAY)
        yield
        registry_data_wipe()


@pytest.fixture
def municipal(client, demo, db):
    client.force_login(User.objects.get(email="municipality@example.org"))
    return client


def shares(breakdown, key_of) -> dict[str, float]:
    return {key_of(row.key): row.enrollment_share for row in breakdown.rows}


def direction_code(key: str) -> str:
    return Direction.objects.get(pk=int(key)).code


def test_the_municipal_admin_sees_80_percent_coverage(municipal):
    response = municipal.get("/monitoring/", {"on": TODAY.isoformat()})
    assert response.status_code == 200
    context = response.context
    assert context["f"].territory == Municipality.objects.get(code=MAIN.code)
    coverage = context["coverage"]
    assert coverage.population == 4236
    assert abs(coverage.percent - 80) <= 2
    assert re.search(r'id="kpi-coverage".*?(7[89]|8[01]),\d %', response.content.decode(), re.S)
    assert not coverage.warnings


def test_the_shares_by_organization_type_and_direction_follow_the_report(municipal):
    # The report counts every pupil of the town's clubs, preschoolers included: the 3–17 band.
    context = municipal.get("/monitoring/", {"on": TODAY.isoformat(), "age": "3-18"}).context
    by_type = shares(context["by_type"], str)
    for key, expected in SEED_002_TYPES.items():
        assert abs(by_type[key] - expected) <= 3, (key, by_type[key])
    by_direction = shares(context["by_direction"], direction_code)
    for code, expected in SEED_002_DIRECTIONS.items():
        assert abs(by_direction[code] - expected) <= 3, (code, by_direction[code])


def test_the_aggregates_give_the_same_page(municipal):
    live = municipal.get("/monitoring/", {"on": TODAY.isoformat()}).context
    aggregates_refresh(on=TODAY)
    response = municipal.get("/monitoring/", {"on": TODAY.isoformat()})
    assert response.context["coverage"].source == "aggregates"
    assert response.context["coverage"].percent == live["coverage"].percent
    assert shares(response.context["by_direction"], str) == shares(live["by_direction"], str)
    assert "Из сводных данных, рассчитано" in response.content.decode()


def test_the_neighbours_admin_cannot_open_the_town(client, demo, db):
    client.force_login(User.objects.get(email="neighbour@example.org"))
    town = Municipality.objects.get(code=MAIN.code)
    assert client.get("/monitoring/", {"municipality": town.pk}).status_code == 403
    response = client.get("/monitoring/", {"on": TODAY.isoformat()})
    assert response.context["f"].territory == Municipality.objects.get(code=NEIGHBOUR.code)


def test_the_quality_page_of_the_demo_lists_overdue_applications_and_card_defects(municipal):
    response = municipal.get("/monitoring/quality/", {"on": TODAY.isoformat()})
    assert response.status_code == 200
    assert response.context["cards"].programmes > 0
