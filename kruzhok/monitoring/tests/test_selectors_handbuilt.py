"""The counting rules on a small data set whose answers are worked out by hand below."""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok import factories as f
from kruzhok.catalog.models import Organization, Programme, Teacher
from kruzhok.enrollment.models import ApplicationStatus, EnrollmentStatus
from kruzhok.monitoring import selectors as sel
from kruzhok.monitoring.aggregates import aggregates_refresh
from kruzhok.monitoring.selectors import MonitoringFilter

ON = dt.date(2025, 10, 15)
YESTERDAY = ON - dt.timedelta(days=1)


@pytest.fixture
def town(db):
    region = f.RegionFactory(code="HB")
    town = f.MunicipalityFactory(region=region, name="Город", code="HB1")
    other = f.MunicipalityFactory(region=region, name="Район", code="HB2")
    village = f.SettlementFactory(municipality=town, is_rural=True, name="Село")
    city = f.SettlementFactory(municipality=town, is_rural=False, name="Город")
    for age in range(18):
        f.PopulationFactory(municipality=town, year=2025, age=age, count=10)
    technical, artistic = f.direction("technical"), f.direction("artistic")
    house = f.OrganizationFactory(municipality=town, org_type=Organization.Type.SUPPLEMENTARY, short_name="ДДТ")
    school = f.OrganizationFactory(municipality=town, org_type=Organization.Type.SCHOOL, short_name="Школа")

    def group(org, direction, capacity=10, **kw):
        programme = f.ProgrammeFactory(organization=org, direction=direction, age_from=5, age_to=18, code="P-1",
                                       description="Описание программы. " * 10)
        return f.GroupFactory(programme=programme, capacity=capacity, age_from=5, age_to=17, **kw)

    robots = group(house, technical)
    choir = group(house, artistic)
    drawing = group(school, artistic)

    def child(born, **kw):
        kw.setdefault("municipality", town)
        return f.ChildFactory(birth_date=born, **kw)

    def enroll(kid, grp, start=dt.date(2025, 9, 1), end=None, status=EnrollmentStatus.ACTIVE):
        return f.EnrollmentFactory(child=kid, group=grp, start_date=start, end_date=end, status=status)

    # 1. Three clubs, one child (10 years old, rural, ОВЗ): counts once, three enrollments.
    three = child(dt.date(2015, 3, 14), settlement=village)
    for grp in (robots, choir, drawing):
        enroll(three, grp)
    f.ChildCategoryFactory(child=three, kind="ovz", valid_from=dt.date(2024, 1, 1))
    # 2. A merged duplicate: the survivor (girl, 12, urban) counts once; the absorbed record is left out even
    #    with an enrollment still pointing at it.
    survivor = child(dt.date(2013, 5, 1), sex="F", settlement=city)
    duplicate = child(dt.date(2013, 5, 1), sex="F", settlement=city, merged_into=survivor)
    enroll(survivor, robots)
    enroll(duplicate, choir)
    f.ChildCategoryFactory(child=survivor, kind="gifted", valid_from=dt.date(2020, 1, 1), valid_to=YESTERDAY)
    # 3. Turned 18 the day before: out. Turns 18 tomorrow: in (17).
    turned = child(dt.date(2007, 10, 14))
    enroll(turned, robots)
    almost = child(dt.date(2007, 10, 16))
    enroll(almost, robots)
    # 4. Enrollment ended yesterday: out; ends today: in; starts tomorrow: out.
    ended = child(dt.date(2012, 1, 1))
    enroll(ended, choir, end=YESTERDAY, status=EnrollmentStatus.COMPLETED)
    today = child(dt.date(2012, 2, 2))
    enroll(today, choir, end=ON, status=EnrollmentStatus.EXPELLED)
    later = child(dt.date(2012, 3, 3))
    enroll(later, choir, start=ON + dt.timedelta(days=1))
    # 5. Turns 5 today: in; turns 5 tomorrow: out.
    five = child(dt.date(2020, 10, 15))
    enroll(five, drawing)
    four = child(dt.date(2020, 10, 16))
    enroll(four, drawing)
    # 6. Lives in the other municipality, attends the town's club: counted for the region, not the town.
    commuter = child(dt.date(2014, 6, 6), municipality=other)
    enroll(commuter, robots)
    return {"region": region, "town": town, "other": other, "robots": robots, "choir": choir, "drawing": drawing,
            "technical": technical, "artistic": artistic, "house": house, "school": school,
            "counted": {three, survivor, almost, today, five}}


def test_unique_children_of_the_town(town):
    cover = sel.coverage_summary(f=MonitoringFilter(on=ON, territory=town["town"]))
    # three (3 enrollments) + survivor + almost + today + five = 5 children, 7 enrollments
    assert (cover.children, cover.enrollments) == (5, 7)
    assert cover.population == 130  # ages 5..17, 10 each
    assert cover.percent == pytest.approx(500 / 130)
    assert cover.warnings == ()
    assert set(sel.coverage_children(f=MonitoringFilter(on=ON, territory=town["town"]))) == town["counted"]


def test_region_adds_the_commuter_but_warns_of_missing_population(town):
    cover = sel.coverage_summary(f=MonitoringFilter(on=ON, territory=town["region"]))
    assert cover.children == 6
    assert cover.percent is None
    assert cover.warning_codes == ("population_missing",)
    assert cover.missing_population == ("Район",)


def test_breakdowns(town):
    fl = MonitoringFilter(on=ON, territory=town["town"])

    def rows(by):
        return {r.key: (r.enrollments, r.children) for r in sel.coverage_breakdown(f=fl, by=by).rows}

    technical, artistic = str(town["technical"].pk), str(town["artistic"].pk)
    # robots: three, survivor, almost; choir: three, today; drawing: three, five
    assert rows("direction") == {technical: (3, 3), artistic: (4, 3)}
    assert rows("organization_type") == {"supplementary": (5, 4), "school": (2, 2)}
    assert rows("sex") == {"M": (6, 4), "F": (1, 1)}  # the duplicate's choir enrollment is not counted
    assert rows("settlement_kind") == {"rural": (3, 1), "urban": (1, 1), "unknown": (3, 3)}
    assert rows("age") == {"5": (1, 1), "10": (3, 1), "12": (1, 1), "13": (1, 1), "17": (1, 1)}
    assert rows("category") == {"ovz": (3, 1)}  # the gifted category expired yesterday
    breakdown = sel.coverage_breakdown(f=fl, by="direction")
    assert sum(r.enrollment_share for r in breakdown.rows) == pytest.approx(100)
    assert breakdown.total_children == 5
    municipality = sel.coverage_breakdown(f=fl, by="municipality").rows
    assert [(r.label, r.population, round(r.percent, 2)) for r in municipality] == [("Город", 130, 3.85)]
    ages = {r.key: r.percent for r in sel.coverage_breakdown(f=fl, by="age").rows}
    assert ages["10"] == pytest.approx(10.0)


def test_filters_and_clubs_per_child(town):
    fl = MonitoringFilter(on=ON, territory=town["town"], direction_id=town["artistic"].pk)
    assert sel.coverage_summary(f=fl).children == 3
    fl = MonitoringFilter(on=ON, territory=town["town"], organization_type="school", age_from=3, age_to=6)
    assert sel.coverage_summary(f=fl).children == 2  # five (5) and four (4): both in 3–5
    clubs = sel.clubs_per_child(f=MonitoringFilter(on=ON, territory=town["town"]))
    assert clubs.distribution == {1: 4, 2: 0, 3: 1}
    assert clubs.average == pytest.approx(7 / 5)


def test_aggregates_give_the_same_figures(town):
    aggregates_refresh(on=ON)
    for territory in (town["town"], town["region"], None):
        for extra in ({}, {"direction_id": town["artistic"].pk}, {"organization_type": "school"},
                      {"age_from": 10, "age_to": 14}):
            fl = MonitoringFilter(on=ON, territory=territory, **extra)
            live, agg = sel.coverage_summary(f=fl), sel.coverage_summary(f=fl, source="aggregates")
            assert agg.source == "aggregates" and live.source == "live"
            assert (live.children, live.enrollments, live.population, live.percent) == (
                agg.children, agg.enrollments, agg.population, agg.percent)
            for by in sel.BREAKDOWNS:
                assert sel.coverage_breakdown(f=fl, by=by).rows == sel.coverage_breakdown(
                    f=fl, by=by, source="aggregates").rows, (by, extra)


def test_trend_reads_the_same_day_of_previous_years(town):
    points = sel.coverage_trend(f=MonitoringFilter(on=ON, territory=town["town"]), years=2)
    assert [p.on for p in points] == [dt.date(2024, 10, 15), ON]
    assert points[0].children == 0 and points[0].percent is None  # no population for 2024
    assert points[1].children == 5


def test_group_fill_states(town):
    fl = MonitoringFilter(on=ON, territory=town["town"])
    states = {g.pk: g.active_enrollments for g in sel.fill_groups(f=fl)}
    assert states == {town["robots"].pk: 5, town["choir"].pk: 3, town["drawing"].pk: 3}
    fill = sel.group_fill(f=fl, under_threshold=0.5)
    assert (fill.under, fill.normal, fill.full, fill.over) == (2, 1, 0, 0)
    assert [g.pk for g in sel.fill_groups(f=fl, state="normal")] == [town["robots"].pk]
    assert fill.enrolled == 11 and fill.capacity == 30


def test_programme_flags_and_cards(town):
    programme = town["choir"].programme
    Programme.objects.filter(pk=programme.pk).update(is_network=True, description="", code="",
                                                     status=Programme.Status.DRAFT)
    f.ScheduleSlotFactory(group=town["robots"])
    town["robots"].teachers.add(f.TeacherFactory())
    fl = MonitoringFilter(on=ON, territory=town["town"])
    flags = {r.key: r.count for r in sel.programme_flag_counts(f=fl).rows}
    assert sel.programme_flag_counts(f=fl).total == 3 and flags["network"] == 1
    cards = {c.programme_id: c for c in sel.card_completeness(f=fl).cards}
    robots = cards[town["robots"].programme_id]
    assert robots.defects == ("no_venue",)
    choir = cards[programme.pk]
    assert set(choir.defects) == {"draft", "no_code", "no_description", "no_schedule", "no_teacher", "no_venue"}
    assert choir.score == pytest.approx(100 * 4 / 10)
    assert list(sel.card_programmes(f=fl, defect="no_description")) == [programme]


def test_card_defects_for_group_ages_and_closed_window(town):
    programme = f.ProgrammeFactory(organization=town["house"], age_from=7, age_to=10)
    group = f.GroupFactory(programme=programme, age_from=7, age_to=10)
    f.GroupFactory(programme=programme, age_from=7, age_to=10,
                   enrollment_closes_at=dt.datetime(2025, 9, 20, tzinfo=dt.UTC),
                   enrollment_opens_at=dt.datetime(2025, 8, 20, tzinfo=dt.UTC))
    type(group).objects.filter(pk=group.pk).update(age_from=5)  # bypasses clean(): the check must catch it
    card = next(c for c in sel.card_completeness(f=MonitoringFilter(on=ON, territory=town["town"])).cards
                if c.programme_id == programme.pk)
    assert {"group_ages_outside", "window_closed_empty"} <= set(card.defects)


def test_application_timeliness(town):
    now = dt.datetime(2025, 10, 15, 12, tzinfo=dt.UTC)
    due = dt.datetime(2025, 10, 10, 18, tzinfo=dt.UTC)
    submitted = dt.datetime(2025, 10, 1, 9, tzinfo=dt.UTC)
    kids = [f.ChildFactory(municipality=town["town"]) for _ in range(5)]
    a = f.ApplicationFactory(child=kids[0], group=town["robots"], submitted_at=submitted, answer_due_at=due,
                             decided_at=submitted + dt.timedelta(hours=24), status=ApplicationStatus.WAITLISTED)
    f.ApplicationFactory(child=kids[1], group=town["robots"], submitted_at=submitted, answer_due_at=due,
                         decided_at=due + dt.timedelta(hours=1), status=ApplicationStatus.WAITLISTED)
    late = f.ApplicationFactory(child=kids[2], group=town["robots"], submitted_at=submitted, answer_due_at=due,
                                status=ApplicationStatus.SUBMITTED)
    f.ApplicationFactory(child=kids[3], group=town["robots"], submitted_at=submitted,
                         answer_due_at=now + dt.timedelta(days=2), status=ApplicationStatus.SUBMITTED)
    f.ApplicationFactory(child=kids[4], group=town["robots"], submitted_at=submitted, answer_due_at=due,
                         decided_at=submitted, status=ApplicationStatus.WITHDRAWN)
    result = sel.application_timeliness(f=MonitoringFilter(on=ON, territory=town["town"]),
                                        start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 31), now=now)
    assert (result.total, result.answered_in_time, result.answered_late, result.overdue, result.pending) == (
        4, 1, 1, 1, 1)
    assert result.share_in_time == pytest.approx(100 / 3)
    assert result.median_hours == pytest.approx((24 + (due - submitted).total_seconds() / 3600 + 1) / 2)
    assert [r.application_id for r in result.overdue_list] == [late.pk]
    assert result.overdue_list[0].days_overdue == 4
    assert a.pk in [x.pk for x in sel.timeliness_applications(f=MonitoringFilter(on=ON, territory=town["town"]),
                                                              start=ON.replace(day=1), end=ON, state="in_time",
                                                              now=now)]


def test_staffing(town):
    fl = MonitoringFilter(on=ON, territory=town["town"])
    highest = f.TeacherFactory(category=Teacher.Category.RU_HIGHEST)
    first = f.TeacherFactory(category=Teacher.Category.RU_FIRST,
                             education_level=Teacher.Education.SECONDARY_PEDAGOGICAL)
    none = f.TeacherFactory(category="", is_external_specialist=True)
    gone = f.TeacherFactory()
    for teacher in (highest, first, none):
        f.EmploymentFactory(teacher=teacher, organization=town["house"])
    f.EmploymentFactory(teacher=gone, organization=town["house"], end_date=YESTERDAY)
    from kruzhok.catalog.models import Course
    Course.objects.create(teacher=highest, title="Курсы", provider="ИРО", hours=72, completed_on=dt.date(2024, 3, 1))
    Course.objects.create(teacher=first, title="Старые курсы", provider="ИРО", hours=72,
                          completed_on=dt.date(2021, 3, 1))
    staff = sel.staffing(f=fl)
    assert staff.teachers == 3
    assert staff.highest_share == pytest.approx(100 / 3) and staff.first_share == pytest.approx(100 / 3)
    assert staff.with_courses_3y == 1 and staff.external == 1
    assert {r.key: r.count for r in staff.by_education} == {"higher_ped": 2, "secondary_ped": 1}
    # children of the band in the town's organizations: the 5 counted + the commuter
    assert staff.children == 6 and staff.children_per_teacher == pytest.approx(2)


def test_over_100_percent_warns(town):
    from kruzhok.territory.models import Population

    Population.objects.filter(municipality=town["town"]).update(count=0)
    cover = sel.coverage_summary(f=MonitoringFilter(on=ON, territory=town["town"]))
    assert cover.percent is None and "population_missing" in cover.warning_codes
    Population.objects.filter(municipality=town["town"], age=10).update(count=2)
    cover = sel.coverage_summary(f=MonitoringFilter(on=ON, territory=town["town"]))
    assert cover.percent == pytest.approx(250) and "over_100" in cover.warning_codes
