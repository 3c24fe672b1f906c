"""The grouped selectors of the regional table (``…_by_municipality``) give, for every municipality and for the
whole territory, what the per-territory selectors give — on the demo town and on random data — in a number of
queries that does not grow with the municipalities."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kruzhok import factories as f
from kruzhok.catalog.models import Group, Organization, Programme, Teacher
from kruzhok.enrollment.models import Application, ApplicationStatus
from kruzhok.monitoring import selectors as sel
from kruzhok.monitoring.aggregates import aggregates_refresh
from kruzhok.monitoring.selectors import MonitoringFilter
from kruzhok.monitoring.tests import test_selectors_property as random_world
from kruzhok.monitoring.tests.conftest import DEMO_DAY
from kruzhok.territory.models import Municipality, Region

TODAY = DEMO_DAY  # the demo fixture (conftest) is built on it
places = random_world.places  # the fixture: two regions, three municipalities, two organizations, four groups
build, make_filter, world_st = random_world.build, random_world.make_filter, random_world.world_st
LISTS = {"problems": [], "cards": [], "organizations": [], "overdue_list": []}


def _counts_only(value):
    """A per-territory result without the lists the grouped selectors leave empty."""
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{k: v for k, v in LISTS.items()
                                             if k in {x.name for x in dataclasses.fields(value)}})
    return value


def _comparable(value):
    value = _counts_only(value)
    if isinstance(value, sel.Coverage):
        return dataclasses.replace(value, computed_at=None)
    if isinstance(value, sel.Timeliness) and value.median_hours is not None:  # percentile_cont: to the microsecond
        return dataclasses.replace(value, median_hours=round(value.median_hours, 6))
    return value


def grouped_and_single(fl: MonitoringFilter, *, start: dt.date, end: dt.date, now: dt.datetime, source: str):
    """(name, grouped result, per-territory selector) for every grouped selector."""
    return [
        ("coverage", sel.coverage_by_municipality(f=fl, source=source),
         lambda g: sel.coverage_summary(f=g, source=source)),
        ("licensed", sel.organizations_licensed_by_municipality(territory=fl.territory),
         lambda g: sel.organizations_licensed(territory=g.territory)),
        ("flags", sel.programme_flag_counts_by_municipality(f=fl), lambda g: sel.programme_flag_counts(f=g)),
        ("fill", sel.group_fill_by_municipality(f=fl, under_threshold=0.5),
         lambda g: sel.group_fill(f=g, under_threshold=0.5)),
        ("cards", sel.card_completeness_by_municipality(f=fl), lambda g: sel.card_completeness(f=g)),
        ("timeliness", sel.application_timeliness_by_municipality(f=fl, start=start, end=end, now=now),
         lambda g: sel.application_timeliness(f=g, start=start, end=end, now=now)),
        ("staffing", sel.staffing_by_municipality(f=fl), lambda g: sel.staffing(f=g)),
        # what the regional table asks for: no median, no children per teacher
        ("timeliness, counts", sel.application_timeliness_by_municipality(f=fl, start=start, end=end, now=now,
                                                                          median=False),
         lambda g: dataclasses.replace(sel.application_timeliness(f=g, start=start, end=end, now=now),
                                       median_hours=None)),
        ("staffing, teachers", sel.staffing_by_municipality(f=fl, children=False),
         lambda g: dataclasses.replace(sel.staffing(f=g), children=0, children_per_teacher=None)),
    ]


def assert_grouped_equal_single(fl: MonitoringFilter, *, start: dt.date, end: dt.date, now: dt.datetime,
                                source: str = sel.LIVE) -> None:
    municipalities = list(Municipality.objects.all()) if fl.territory is None else (
        list(Municipality.objects.filter(region=fl.territory)) if isinstance(fl.territory, Region)
        else [fl.territory])
    for name, grouped, single in grouped_and_single(fl, start=start, end=end, now=now, source=source):
        assert set(grouped.rows) == {m.pk for m in municipalities}, name
        for m in municipalities:
            assert _comparable(grouped.rows[m.pk]) == _comparable(single(dataclasses.replace(fl, territory=m))), (
                name, m.code)
        assert _comparable(grouped.total) == _comparable(single(fl)), (name, "total")


# ------------------------------------------------------------------------------------------------ demo town


@pytest.mark.django_db
@pytest.mark.parametrize("source", [sel.LIVE, sel.AGGREGATES])
def test_grouped_selectors_equal_the_per_municipality_ones_on_the_demo_town(demo, source):
    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(12)))
    for territory in (demo.region, demo, None):
        fl = MonitoringFilter(on=TODAY, territory=territory)
        assert_grouped_equal_single(fl, start=dt.date(2025, 1, 1), end=TODAY, now=now, source=source)
    assert sel.organizations_licensed_by_municipality(territory=demo.region).rows[demo.pk] > 0
    assert sel.card_completeness_by_municipality(f=MonitoringFilter(on=TODAY, territory=demo)).total.programmes > 0


@pytest.mark.django_db
def test_grouped_selectors_take_a_fixed_number_of_queries(demo):
    """Twice the municipalities, the same queries: nothing is asked per municipality."""
    fl = MonitoringFilter(on=TODAY, territory=demo.region)
    now = timezone.now()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            grouped_and_single(fl, start=dt.date(2025, 1, 1), end=TODAY, now=now, source=sel.AGGREGATES)
        return len(captured)

    before = queries()
    for i in range(Municipality.objects.filter(region=demo.region).count()):
        f.MunicipalityFactory(region=demo.region, code=f"EXTRA{i}")
    assert queries() == before


# ----------------------------------------------------------------------------------------------- random data

WHITESPACE_CARDS = ["", "  ", " \n\xa0", "коротко", "x" * 99 + " ", " " + "x" * 100, "\u3000" + "y" * 120]
catalog_st = st.fixed_dictionaries({
    "programmes": st.lists(st.fixed_dictionaries({
        "status": st.sampled_from(Programme.Status.values),
        "code": st.sampled_from(["", " ", "\t", "ABC-1"]),
        "description": st.sampled_from(WHITESPACE_CARDS),
        "network": st.booleans(), "ovz": st.booleans(), "gifted": st.booleans(),
        "funding": st.sampled_from([Programme.Funding.FREE, Programme.Funding.CERTIFICATE]),
        "ages": st.sampled_from([(0, 18), (7, 14), (10, 12)]),
    }), min_size=4, max_size=4),
    "groups": st.lists(st.fixed_dictionaries({
        "schedule": st.booleans(), "teacher": st.sampled_from([None, 0, 1, 2]), "venue": st.booleans(),
        "closes": st.sampled_from([None, -30, 30]), "active": st.booleans(),
        "ends": st.sampled_from([-10, 400]), "capacity": st.sampled_from([1, 2, 3, 500]),
    }), min_size=4, max_size=4),
    "teachers": st.lists(st.fixed_dictionaries({
        "education": st.sampled_from(Teacher.Education.values),
        "category": st.sampled_from(Teacher.Category.values), "external": st.booleans(),
        "jobs": st.lists(st.tuples(st.integers(0, 1), st.integers(-900, 10),
                                   st.one_of(st.none(), st.integers(0, 900))), max_size=2),
        "course": st.one_of(st.none(), st.integers(-1500, 10)),
    }), max_size=3),
    "licences": st.tuples(st.booleans(), st.booleans()),
    "applications": st.lists(st.tuples(st.integers(0, 29), st.integers(0, 3), st.integers(0, 40),
                                       st.one_of(st.none(), st.integers(0, 400)),
                                       st.one_of(st.none(), st.integers(-100, 400)), st.booleans()), max_size=12),
})


def build_catalog(catalog: dict, places: dict, on: dt.date, children) -> None:
    groups = places["groups"]
    for group, spec in zip(groups, catalog["programmes"], strict=True):
        Programme.objects.filter(pk=group.programme_id).update(
            status=spec["status"], code=spec["code"], description=spec["description"], is_network=spec["network"],
            adapted_ovz=spec["ovz"], for_gifted=spec["gifted"], funding=spec["funding"], certificate_hour_cost=150,
            age_from=spec["ages"][0],
            age_to=spec["ages"][1])
    venue = f.VenueFactory(organization=groups[0].programme.organization)
    teachers = []
    for spec in catalog["teachers"]:
        teacher = f.TeacherFactory(education_level=spec["education"], category=spec["category"],
                                   is_external_specialist=spec["external"])
        for org_index, start, length in spec["jobs"]:
            f.EmploymentFactory(teacher=teacher, organization=groups[org_index].programme.organization,
                                start_date=on + dt.timedelta(days=start),
                                end_date=None if length is None else on + dt.timedelta(days=start + length))
        if spec["course"] is not None:
            teacher.courses.create(title="Курс", provider="ИРО", hours=72,
                                   completed_on=on + dt.timedelta(days=spec["course"]))
        teachers.append(teacher)
    closes_base = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
    for group, spec in zip(groups, catalog["groups"], strict=True):
        group.refresh_from_db()
        Group.objects.filter(pk=group.pk).update(
            is_active=spec["active"], venue=venue if spec["venue"] else None,
            period_end=on + dt.timedelta(days=spec["ends"]), period_start=on - dt.timedelta(days=500),
            capacity=max(spec["capacity"], group.enrolled_count, 1),
            enrollment_closes_at=None if spec["closes"] is None else closes_base + dt.timedelta(days=spec["closes"]))
        if spec["schedule"]:
            f.ScheduleSlotFactory(group=group)
        if spec["teacher"] is not None and spec["teacher"] < len(teachers):
            group.teachers.add(teachers[spec["teacher"]])
    organizations = sorted({g.programme.organization_id for g in groups})
    for pk, licensed in zip(organizations, catalog["licences"], strict=True):
        Organization.objects.filter(pk=pk).update(licence_number="Л-1" if licensed else "")
    start = on - dt.timedelta(days=40)
    rows, open_pairs = [], set()
    for ci, gi, day, decided_h, due_h, withdrawn in catalog["applications"]:
        submitted = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=day), dt.time(9)))
        decided = None if decided_h is None else submitted + dt.timedelta(hours=decided_h, minutes=ci)
        due = None if due_h is None else max(submitted, submitted + dt.timedelta(hours=due_h))
        status = ApplicationStatus.WITHDRAWN if withdrawn else (
            ApplicationStatus.SUBMITTED if decided is None else ApplicationStatus.ENROLLED)
        child = children[ci % len(children)]
        if status == ApplicationStatus.SUBMITTED:
            if (child.pk, gi) in open_pairs:
                continue
            open_pairs.add((child.pk, gi))
        rows.append(Application(child=child, group=groups[gi], submitted_at=submitted, decided_at=decided,
                                answer_due_at=due, status=status))
    Application.objects.bulk_create(rows)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(world=world_st, catalog=catalog_st, source=st.sampled_from([sel.LIVE, sel.AGGREGATES]))
def test_grouped_selectors_equal_the_per_municipality_ones_on_random_data(places, world, catalog, source):
    with transaction.atomic():
        children, _enrollments = build(world, places)
        on = world["on"]
        build_catalog(catalog, places, on, children)
        if source == sel.AGGREGATES:
            aggregates_refresh(on=on)
        fl = make_filter(world, places)
        now = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
        start = on - dt.timedelta(days=40)
        assert_grouped_equal_single(fl, start=start, end=on, now=now, source=source)
        hours = [(a.decided_at - a.submitted_at).total_seconds() / 3600
                 for a in sel.timeliness_applications(f=fl, start=start, end=on) if a.decided_at is not None]
        median = sel.application_timeliness(f=fl, start=start, end=on, now=now).median_hours
        assert median == (pytest.approx(statistics.median(hours), abs=1e-9) if hours else None)
        transaction.set_rollback(True)
