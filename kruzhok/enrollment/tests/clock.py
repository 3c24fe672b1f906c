"""A controllable clock for tests of windows and deadlines: ``timezone.now()`` reads it.

It moves on by itself (one millisecond per reading, like a real clock, so receive times differ) and
jumps when told. Import it to use the ``clock`` fixture: ``from kruzhok.enrollment.tests.clock import clock_fixture``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

START = dt.datetime(2025, 8, 25, 5, 0, tzinfo=dt.UTC)  # Monday 10:00 in Yekaterinburg


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(milliseconds=1)
        return self.now

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.now = moment
        return moment

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch) -> Clock:
    moving = Clock(START)
    monkeypatch.setattr(timezone, "now", moving)
    return moving
