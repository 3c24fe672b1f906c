"""Every coverage selector against a straightforward Python count on random data, live and from aggregates."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kruzhok import factories as f
from kruzhok.catalog.models import Organization
from kruzhok.enrollment.models import Application, ApplicationStatus, Enrollment, EnrollmentStatus
from kruzhok.monitoring import selectors as sel
from kruzhok.monitoring.aggregates import aggregates_refresh
from kruzhok.monitoring.selectors import MonitoringFilter
from kruzhok.people.models import Child, ChildCategory, age_on

DATES = [dt.date(2025, 10, 15), dt.date(2024, 2, 29), dt.date(2025, 3, 1), dt.date(2025, 2, 28)]
BIRTHS = st.one_of(st.dates(dt.date(2010, 1, 1), dt.date(2018, 12, 31)),
                   st.dates(dt.date(2005, 1, 1), dt.date(2022, 12, 31)),
                   st.sampled_from([dt.date(2012, 2, 29), dt.date(2016, 2, 29), dt.date(2007, 10, 15),
                                    dt.date(2007, 10, 16), dt.date(2020, 10, 15), dt.date(2006, 2, 28),
                                    dt.date(2006, 3, 1), dt.date(2019, 2, 28), dt.date(2019, 3, 1)]))
N_GROUPS = 4
KINDS = ChildCategory.Kind.values

enrollment_st = st.tuples(st.integers(0, N_GROUPS - 1),
                          st.one_of(st.integers(-400, 0), st.integers(-3, 3), st.integers(0, 60)),
                          st.one_of(st.none(), st.integers(0, 900), st.integers(0, 5)))
category_st = st.tuples(st.sampled_from(KINDS), st.integers(-800, 5), st.one_of(st.none(), st.integers(0, 900)))
child_st = st.fixed_dictionaries({
    "born": BIRTHS, "sex": st.sampled_from("MF"), "home": st.sampled_from([0, 0, 1, 2]),
    "settlement": st.sampled_from([None, "rural", "urban"]),
    "merged": st.sampled_from([False, False, False, True]),
    "enrollments": st.lists(enrollment_st, min_size=1, max_size=3),
    "categories": st.lists(category_st, max_size=2)})
application_st = st.tuples(st.integers(0, 29), st.integers(0, N_GROUPS - 1), st.integers(0, 40),
                           st.one_of(st.none(), st.integers(0, 400)), st.one_of(st.none(), st.integers(-100, 400)),
                           st.booleans())
world_st = st.fixed_dictionaries({
    "on": st.sampled_from(DATES),
    "children": st.lists(child_st, min_size=3, max_size=25),
    "applications": st.lists(application_st, max_size=15),
    "band": st.sampled_from([(5, 18), (5, 18), (0, 18), (3, 18), (7, 12), (17, 18)]),
    "territory": st.sampled_from(["all", "all", "region", "m0", "m1"]),
    "direction": st.sampled_from([None, None, None, 0, 1]),
    "org_type": st.sampled_from([None, None, None, "supplementary", "school"]),
})


@pytest.fixture
def places(db):
    region = f.RegionFactory(code="PR")
    other_region = f.RegionFactory(code="PQ")
    municipalities = [f.MunicipalityFactory(region=region, code="PR1"),
                      f.MunicipalityFactory(region=region, code="PR2"),
                      f.MunicipalityFactory(region=other_region, code="PQ1")]
    settlements = {(m.pk, rural): f.SettlementFactory(municipality=m, is_rural=rural)
                   for m in municipalities for rural in (True, False)}
    for m in municipalities[:2]:
        for year in (2024, 2025):
            for age in range(18):
                f.PopulationFactory(municipality=m, year=year, age=age, count=3 + age % 4)
    directions = [f.direction("technical"), f.direction("artistic")]
    orgs = [f.OrganizationFactory(municipality=municipalities[0], org_type=Organization.Type.SUPPLEMENTARY),
            f.OrganizationFactory(municipality=municipalities[1], org_type=Organization.Type.SCHOOL)]
    groups = []
    for i in range(N_GROUPS):
        programme = f.ProgrammeFactory(organization=orgs[i % 2], direction=directions[i // 2], age_from=0, age_to=18)
        groups.append(f.GroupFactory(programme=programme, capacity=500, age_from=0, age_to=18,
                                     period_start=dt.date(2023, 1, 1), period_end=dt.date(2026, 12, 31)))
    return {"region": region, "municipalities": municipalities, "settlements": settlements,
            "directions": directions, "groups": groups}


def build(world: dict, places: dict) -> tuple[list[Child], list[Enrollment]]:
    on = world["on"]
    municipalities, settlements = places["municipalities"], places["settlements"]
    children = []
    for i, spec in enumerate(world["children"]):
        home = municipalities[spec["home"]]
        settlement = None if spec["settlement"] is None else settlements[(home.pk, spec["settlement"] == "rural")]
        children.append(Child(surname=f"П{i}", name="Н", sex=spec["sex"], birth_date=spec["born"], municipality=home,
                              settlement=settlement))
    Child.objects.bulk_create(children)
    for i, spec in enumerate(world["children"]):
        if spec["merged"] and i > 0 and children[i - 1].merged_into_id is None:
            children[i].merged_into = children[i - 1]
            Child.objects.filter(pk=children[i].pk).update(merged_into=children[i - 1])
    enrollments, active_pairs = [], set()
    for child, (group_index, start, length) in ((c, e) for c, spec in zip(children, world["children"], strict=True)
                                                for e in spec["enrollments"]):
        start_date = on + dt.timedelta(days=start)
        end_date = None if length is None else start_date + dt.timedelta(days=length)
        status = EnrollmentStatus.ACTIVE if end_date is None else EnrollmentStatus.COMPLETED
        if status == EnrollmentStatus.ACTIVE:
            if (child.pk, group_index) in active_pairs:
                continue
            active_pairs.add((child.pk, group_index))
        enrollments.append(Enrollment(child=child, group=places["groups"][group_index], start_date=start_date,
                                      end_date=end_date, status=status))
    Enrollment.objects.bulk_create(enrollments)
    ChildCategory.objects.bulk_create([
        ChildCategory(child=child, kind=kind, valid_from=on + dt.timedelta(days=start),
                      valid_to=None if length is None else on + dt.timedelta(days=start + length))
        for child, spec in zip(children, world["children"], strict=True) for kind, start, length in spec["categories"]])
    return children, enrollments


def reference(world: dict, places: dict, children: list[Child], enrollments: list[Enrollment]) -> dict:
    on = world["on"]
    age_from, age_to = world["band"]
    region_ids = {m.pk: m.region_id for m in places["municipalities"]}
    territory = world["territory"]
    direction = None if world["direction"] is None else places["directions"][world["direction"]].pk
    categories = defaultdict(set)
    for child, spec in zip(children, world["children"], strict=True):
        for kind, start, length in spec["categories"]:
            if start <= 0 and (length is None or start + length >= 0):
                categories[child.pk].add(kind)

    def inside(child: Child) -> bool:
        if territory == "region":
            return region_ids[child.municipality_id] == places["region"].pk
        if territory in ("m0", "m1"):
            return child.municipality_id == places["municipalities"][int(territory[1])].pk
        return True

    counted = []
    for e in enrollments:
        child, group = e.child, e.group
        if child.merged_into_id is not None or not inside(child):
            continue
        if not (e.start_date <= on and (e.end_date is None or e.end_date >= on)):
            continue
        if not age_from <= age_on(child.birth_date, on) < age_to:
            continue
        if direction is not None and group.programme.direction_id != direction:
            continue
        if world["org_type"] is not None and group.programme.organization.org_type != world["org_type"]:
            continue
        counted.append(e)
    keys = {
        "municipality": lambda e: [str(e.child.municipality_id)],
        "settlement_kind": lambda e: ["unknown" if e.child.settlement is None else
                                      ("rural" if e.child.settlement.is_rural else "urban")],
        "sex": lambda e: [e.child.sex],
        "age": lambda e: [str(age_on(e.child.birth_date, on))],
        "category": lambda e: sorted(categories[e.child.pk]),
        "direction": lambda e: [str(e.group.programme.direction_id)],
        "organization_type": lambda e: [e.group.programme.organization.org_type],
    }
    breakdowns = {}
    for by, key in keys.items():
        rows: dict[str, list] = defaultdict(lambda: [0, set()])
        for e in counted:
            for k in key(e):
                rows[k][0] += 1
                rows[k][1].add(e.child.pk)
        breakdowns[by] = {k: (v[0], len(v[1])) for k, v in rows.items()}
    per_child = Counter(e.child.pk for e in counted)
    cube: dict[tuple, list] = defaultdict(lambda: [set(), 0])
    for e in counted:
        age = age_on(e.child.birth_date, on)
        band = next((b for b in cube_bands(world) if b[0] <= age < b[1]), None)
        if band is not None:
            cell = cube[(e.child.municipality_id, e.group.programme.direction_id,
                         e.group.programme.organization.org_type, f"{band[0]}-{band[1] - 1}")]
            cell[0].add(e.child.pk)
            cell[1] += 1
    return {"children": len(per_child), "enrollments": len(counted), "breakdowns": breakdowns,
            "clubs": {n: sum(1 for c in per_child.values() if min(c, 3) == n) for n in (1, 2, 3)},
            "cube": {k: (len(v[0]), v[1]) for k, v in cube.items()}}


def cube_bands(world: dict) -> tuple[tuple[int, int], ...]:
    """The cube's bands: the filter's band in two halves (one band when it is a single year)."""
    a, b = world["band"]
    return ((a, b),) if b - a < 2 else ((a, (a + b) // 2), ((a + b) // 2, b))


def make_filter(world: dict, places: dict) -> MonitoringFilter:
    territory = {"all": None, "region": places["region"], "m0": places["municipalities"][0],
                 "m1": places["municipalities"][1]}[world["territory"]]
    direction = None if world["direction"] is None else places["directions"][world["direction"]].pk
    return MonitoringFilter(on=world["on"], territory=territory, age_from=world["band"][0], age_to=world["band"][1],
                            direction_id=direction, organization_type=world["org_type"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(world=world_st)
def test_coverage_selectors_match_the_reference(places, world):
    with transaction.atomic():
        children, enrollments = build(world, places)
        expected = reference(world, places, children, enrollments)
        fl = make_filter(world, places)
        aggregates_refresh(on=world["on"])
        for source in ("live", "aggregates"):
            cover = sel.coverage_summary(f=fl, source=source)
            assert (cover.children, cover.enrollments) == (expected["children"], expected["enrollments"]), source
            assert cover.source == source
            for by in sel.BREAKDOWNS:
                got = {r.key: (r.enrollments, r.children) for r in sel.coverage_breakdown(f=fl, by=by,
                                                                                          source=source).rows}
                assert got == expected["breakdowns"][by], (by, source)
            clubs = sel.clubs_per_child(f=fl, source=source)
            assert (clubs.children, clubs.enrollments) == (expected["children"], expected["enrollments"])
        assert sel.clubs_per_child(f=fl).distribution == expected["clubs"]
        # the full breakdown: as coverage_cube chooses (numpy over PostgreSQL's columns for a region and the whole
        # installation there), as one SQL statement, and — on PostgreSQL — the numpy way for any territory
        bands = cube_bands(world)
        engines = {"coverage_cube": lambda: sel.coverage_cube(f=fl, bands=bands).rows,
                   "sql": lambda: sel._cube_sql(fl, bands)}
        if connection.vendor == "postgresql":
            engines["columnar"] = lambda: sel._cube_columnar(fl, bands)
        for name, cube in engines.items():
            got = {(r.municipality_id, r.direction_id, r.org_type, r.band): (r.children, r.enrollments)
                   for r in cube()}
            assert got == expected["cube"], name
        assert set(sel.coverage_children(f=fl).values_list("pk", flat=True)) == set(
            sel.coverage_enrollments(f=fl).values_list("child_id", flat=True))
        assert sel.coverage_enrollments(f=fl).count() == expected["enrollments"]
        transaction.set_rollback(True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(world=world_st, threshold=st.sampled_from([0.0, 0.01, 0.5, 1.0]))
def test_group_fill_and_timeliness_match_the_reference(places, world, threshold):
    with transaction.atomic():
        children, enrollments = build(world, places)
        on = world["on"]
        fl = make_filter(world, places)
        # group fill: enrollments active on the day per group of the territory's organizations
        fill = {g.pk: g.active_enrollments for g in sel.fill_groups(f=fl, under_threshold=threshold)}
        direction = None if world["direction"] is None else places["directions"][world["direction"]].pk
        org_municipality = {g.pk: g.programme.organization.municipality for g in places["groups"]}

        def org_inside(group) -> bool:
            m = org_municipality[group.pk]
            if world["territory"] == "region":
                return m.region_id == places["region"].pk
            if world["territory"] in ("m0", "m1"):
                return m.pk == places["municipalities"][int(world["territory"][1])].pk
            return True

        groups = [g for g in places["groups"] if org_inside(g)
                  and (direction is None or g.programme.direction_id == direction)
                  and (world["org_type"] is None or g.programme.organization.org_type == world["org_type"])]
        expected = {g.pk: sum(1 for e in enrollments if e.group.pk == g.pk and e.start_date <= on
                              and (e.end_date is None or e.end_date >= on)) for g in groups}
        assert fill == expected
        summary = sel.group_fill(f=fl, under_threshold=threshold)
        states = Counter("over" if n > 500 else "full" if n == 500 else "under" if n < threshold * 500 else "normal"
                         for n in expected.values())
        assert (summary.under, summary.normal, summary.full, summary.over) == (
            states["under"], states["normal"], states["full"], states["over"])

        # timeliness of applications submitted in the 40 days before the reference date
        now = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
        start = on - dt.timedelta(days=40)
        rows, open_pairs = [], set()
        for ci, gi, day, decided_h, due_h, withdrawn in world["applications"]:
            submitted = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=day), dt.time(9)))
            decided = None if decided_h is None else submitted + dt.timedelta(hours=decided_h)
            due = None if due_h is None else submitted + dt.timedelta(hours=due_h)
            if due is not None and due < submitted:
                due = submitted
            status = ApplicationStatus.WITHDRAWN if withdrawn else (
                ApplicationStatus.SUBMITTED if decided is None else ApplicationStatus.ENROLLED)
            if status == ApplicationStatus.SUBMITTED:
                if (ci % len(children), gi) in open_pairs:
                    continue
                open_pairs.add((ci % len(children), gi))
            rows.append(Application(child=children[ci % len(children)], group=places["groups"][gi],
                                    submitted_at=submitted, decided_at=decided, answer_due_at=due, status=status))
        Application.objects.bulk_create(rows)
        result = sel.application_timeliness(f=fl, start=start, end=on, now=now)
        mine = [a for a in rows if a.status != ApplicationStatus.WITHDRAWN and a.group in groups]
        in_time = sum(1 for a in mine if a.decided_at and a.answer_due_at and a.decided_at <= a.answer_due_at)
        late = sum(1 for a in mine if a.decided_at and a.answer_due_at and a.decided_at > a.answer_due_at)
        overdue = sum(1 for a in mine if not a.decided_at and a.answer_due_at and a.answer_due_at < now)
        assert (result.total, result.answered_in_time, result.answered_late, result.overdue) == (
            len(mine), in_time, late, overdue)
        assert result.pending == len(mine) - in_time - late - overdue - result.without_deadline
        transaction.set_rollback(True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("packed", [True, False], ids=["ids-packed", "ids-apart"])
def test_columnar_cube_reads_on_parallel_connections_in_one_snapshot(places, packed, monkeypatch):
    """Outside a transaction the numpy cube reads its columns on three connections at once (sharing an exported
    snapshot); committed rows, counted there, give what the SQL statement and the reference give."""
    import random

    from kruzhok.monitoring import columnar

    if not packed:  # ids too large to share one number: each column travels apart
        monkeypatch.setattr(columnar, "_packs", lambda *limits: False)
    rnd = random.Random(7)
    world = {"on": dt.date(2025, 10, 15), "band": (5, 18), "territory": "all", "direction": None, "org_type": None,
             "applications": [], "children": [
                 {"born": dt.date(2005, 1, 1) + dt.timedelta(days=rnd.randrange(18 * 365)),
                  "sex": rnd.choice("MF"), "home": rnd.choice([0, 0, 1, 2]), "settlement": None,
                  "merged": rnd.random() < 0.1, "categories": [],
                  "enrollments": [(rnd.randrange(N_GROUPS), rnd.choice([-400, -30, 0, 5]),
                                   rnd.choice([None, None, 10, 900])) for _ in range(rnd.randint(1, 3))]}
                 for _ in range(120)]}
    children, enrollments = build(world, places)
    expected = reference(world, places, children, enrollments)["cube"]
    assert not connection.in_atomic_block
    bands = cube_bands(world)
    for territory in ("all", "region"):
        fl = make_filter({**world, "territory": territory}, places)
        numpy_cube = {(r.municipality_id, r.direction_id, r.org_type, r.band): (r.children, r.enrollments)
                      for r in sel._cube_columnar(fl, bands)}
        sql = {(r.municipality_id, r.direction_id, r.org_type, r.band): (r.children, r.enrollments)
               for r in sel._cube_sql(fl, bands)}
        assert numpy_cube == sql
        if territory == "all":
            assert numpy_cube == expected and len(numpy_cube) > 4
