"""The demo municipality's figures come out within a few percent of seed 002's (80 % coverage; 66.4 / 26 / 7.7 %
of enrollments by organization type; 32 / 24 / 22 / 8 / 6 / 4 / 4 % by direction), live and from aggregates."""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok.catalog.models import Direction
from kruzhok.monitoring import selectors as sel
from kruzhok.monitoring.selectors import MonitoringFilter
from kruzhok.monitoring.tests.conftest import DEMO_DAY

TODAY = DEMO_DAY  # the demo fixture (conftest) is built on it


@pytest.mark.django_db
@pytest.mark.parametrize("source", ["live", "aggregates"])
def test_demo_figures_follow_seed_002(demo, source):
    fl = MonitoringFilter(on=TODAY, territory=demo)
    cover = sel.coverage_summary(f=fl, source=source)
    assert cover.source == source
    assert cover.population == 4236  # «4 236 детей от 5 до 18 лет»
    assert abs(cover.percent - 80) <= 3, cover.percent
    assert not cover.warnings
    by_type = {r.key: r.enrollment_share for r in sel.coverage_breakdown(f=fl, by="organization_type",
                                                                          source=source).rows}
    for key, share in {"supplementary": 66.4, "school": 26.0, "kindergarten": 7.7}.items():
        assert abs(by_type[key] - share) <= 3, (key, by_type)
    codes = dict(Direction.objects.values_list("pk", "code"))
    by_direction = {codes[int(r.key)]: r.enrollment_share
                    for r in sel.coverage_breakdown(f=fl, by="direction", source=source).rows}
    expected = {"artistic": 32, "technical": 24, "sport": 22, "tourism": 8, "social": 6, "military_patriotic": 4,
                "natural_science": 4}
    for code, share in expected.items():
        assert abs(by_direction[code] - share) <= 3, (code, by_direction)
    clubs = sel.clubs_per_child(f=fl, source=source)
    assert 1.1 <= clubs.average <= 1.6


@pytest.mark.django_db
def test_demo_dashboard_figures_are_sane(demo):
    fl = MonitoringFilter(on=TODAY, territory=demo)
    fill = sel.group_fill(f=fl)
    assert fill.groups > 50 and fill.over == 0 and fill.full > 0
    flags = {r.key: r.count for r in sel.programme_flag_counts(f=fl).rows}
    assert flags["network"] == 64 and flags["certificate"] == 24
    cards = sel.card_completeness(f=fl)
    assert cards.programmes > 100 and 0 < cards.mean_score <= 100
    staff = sel.staffing(f=fl)
    assert staff.teachers > 50 and staff.children_per_teacher > 5
    timeliness = sel.application_timeliness(f=fl, start=dt.date(2025, 1, 1), end=TODAY)
    assert timeliness.total > 0 and timeliness.share_in_time is not None
