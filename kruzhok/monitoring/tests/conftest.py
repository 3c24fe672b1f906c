"""The demo town with its aggregates, built once per test module that asks for it and wiped after."""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok.demo.spec import MAIN
from kruzhok.demo.town import demo_town_build
from kruzhok.demo.wipe import registry_data_wipe
from kruzhok.monitoring.aggregates import aggregates_refresh
from kruzhok.territory.models import Municipality

DEMO_DAY = dt.date(2025, 10, 15)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo municipality (seed 7, built on ``DEMO_DAY``, aggregates of that day computed)."""
    with django_db_blocker.unblock():
        registry_data_wipe()
        demo_town_build(seed=7, today=DEMO_DAY)
        aggregates_refresh(on=DEMO_DAY)
        yield Municipality.objects.get(code=MAIN.code)
        registry_data_wipe()
