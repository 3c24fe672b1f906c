"""The pages show the selectors' numbers (live and from the aggregates), the lists behind them export to files that
read back, and the dashboard's query count does not grow with the data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.catalog.models import Course, Organization
from kruzhok.monitoring import selectors as sel
from kruzhok.monitoring.aggregates import aggregates_refresh
from kruzhok.monitoring.models import CoverageSnapshot

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 10, 15)


def kpi(body: str, element_id: str) -> str:
    """The text of the figure inside ``<li id=element_id>``."""
    block = re.search(rf'id="{element_id}".*?class="kpi__value[^"]*"[^>]*>([^<]*)<', body, re.S)
    assert block, element_id
    return block.group(1).strip()


def row_cell(body: str, row_id: str) -> str:
    block = re.search(rf'id="{row_id}".*?<a href="[^"]*">([^<]*)</a>', body, re.S)
    assert block, row_id
    return block.group(1).strip()


@pytest.fixture
def town(world):
    """A1 with its population, three more children (one in two clubs), a school club, a full and an empty group."""
    w = world
    for age in range(18):
        f.PopulationFactory(municipality=w.a1, year=ON.year, age=age, count=10)
        f.PopulationFactory(municipality=w.a1, year=ON.year - 1, age=age, count=10)
    school = f.OrganizationFactory(municipality=w.a1, org_type=Organization.Type.SCHOOL, short_name="Школа А1")
    art = f.GroupFactory(programme=f.ProgrammeFactory(organization=school, direction=f.direction("artistic"),
                                                      is_network=True), capacity=2)
    empty = f.GroupFactory(programme=f.ProgrammeFactory(organization=w.org, adapted_ovz=True), capacity=10)
    kids = [f.ChildFactory(municipality=w.a1, surname=f"Смирнов{i}", birth_date=dt.date(2012, 1, 1 + i))
            for i in range(3)]
    for kid in kids[:2]:
        f.EnrollmentFactory(child=kid, group=art)
    f.EnrollmentFactory(child=kids[0], group=w.group)
    f.EnrollmentFactory(child=kids[2], group=w.group, start_date=dt.date(2024, 9, 1))
    teacher = f.TeacherFactory()
    f.EmploymentFactory(teacher=teacher, organization=school)
    art.teachers.add(teacher)
    w.school, w.art, w.empty, w.kids = school, art, empty, kids
    return w


def a1_filter(w, **kw) -> sel.MonitoringFilter:
    return sel.MonitoringFilter(on=ON, territory=w.a1, **kw)


def test_the_dashboard_shows_the_selectors_figures(client, town):
    w = town
    client.force_login(w.municipal_admin)
    response = client.get("/monitoring/", {"on": ON.isoformat()})
    body = response.content.decode()
    coverage = sel.coverage_summary(f=a1_filter(w))
    assert coverage.children == 4 and coverage.enrollments == 5  # child, kids ×3; kids[0] in two clubs
    assert kpi(body, "kpi-children") == str(coverage.children)
    assert kpi(body, "kpi-enrollments") == str(coverage.enrollments)
    assert kpi(body, "kpi-coverage") == f"{coverage.percent:.1f} %".replace(".", ",")
    assert kpi(body, "kpi-clubs") == f"{coverage.enrollments / coverage.children:.2f}".replace(".", ",")
    by_direction = sel.coverage_breakdown(f=a1_filter(w), by="direction")
    assert [(r.label, r.enrollments, r.children) for r in response.context["by_direction"].rows] == [
        (r.label, r.enrollments, r.children) for r in by_direction.rows]
    for row in by_direction.rows:
        assert f">{row.label}</th>" in body
    # Last year (kids[2] only, enrolled since 2024-09-01): the trend says how many there were.
    assert response.context["trends"]["children"] == {"before": 1, "delta": 3, "direction": "up"}
    assert "Рассчитано по текущим данным" in body


def test_the_sections_show_the_selectors_figures(client, town):
    w = town
    client.force_login(w.municipal_admin)
    query = {"on": ON.isoformat()}
    groups = client.get("/monitoring/section/groups/", query, HTTP_HX_REQUEST="true").content.decode()
    fill = sel.group_fill(f=a1_filter(w))
    assert kpi(groups, "kpi-groups") == str(fill.groups)
    assert row_cell(groups, "fill-under") == str(fill.under)
    assert row_cell(groups, "fill-full") == str(fill.full) == "1"  # the school's two-seat group
    assert "<html" not in groups  # a fragment for htmx
    programmes = client.get("/monitoring/section/programmes/", query).content.decode()
    flags = sel.programme_flag_counts(f=a1_filter(w))
    assert kpi(programmes, "kpi-programmes") == str(flags.total)
    assert row_cell(programmes, "flag-network") == "1" and row_cell(programmes, "flag-adapted_ovz") == "1"
    assert "<html" in programmes  # without htmx: a page of its own
    staffing = client.get("/monitoring/section/staffing/", query).content.decode()
    assert kpi(staffing, "kpi-teachers") == str(sel.staffing(f=a1_filter(w)).teachers)
    cards = client.get("/monitoring/section/cards/", query).content.decode()
    assert "kpi-cards" in cards
    applications = client.get("/monitoring/section/applications/", query).content.decode()
    assert "kpi-overdue" in applications
    children = client.get("/monitoring/section/children/", query, HTTP_HX_REQUEST="true")
    by_sex = next(b for by, _label, b in children.context["breakdowns"] if by == "sex")
    expected = sel.coverage_breakdown(f=a1_filter(w), by="sex")
    assert [(r.key, r.children) for r in by_sex.rows] == [(r.key, r.children) for r in expected.rows]


def test_a_drilldown_lists_the_rows_behind_the_number(client, town):
    w = town
    client.force_login(w.municipal_admin)
    response = client.get("/monitoring/list/children/", {"on": ON.isoformat()})
    expected = list(sel.coverage_children(f=a1_filter(w)))
    assert response.context["page"].paginator.count == len(expected) == 4
    artistic = sel.coverage_breakdown(f=a1_filter(w), by="direction").rows
    key = next(r.key for r in artistic if r.label == "художественная")
    response = client.get("/monitoring/list/children/", {"on": ON.isoformat(), "by": "direction", "key": key})
    assert response.context["page"].paginator.count == 2
    response = client.get("/monitoring/list/groups/", {"on": ON.isoformat(), "state": "full"})
    assert [g.pk for g in response.context["page"].object_list] == [w.art.pk]
    response = client.get("/monitoring/list/programmes/", {"on": ON.isoformat(), "flag": "adapted_ovz"})
    assert [p.pk for p in response.context["page"].object_list] == [w.empty.programme_id]


def test_drilldowns_export_to_xlsx_and_csv_that_read_back(client, town):
    w = town
    client.force_login(w.municipal_admin)
    response = client.get("/monitoring/list/children/", {"on": ON.isoformat(), "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Ребёнок", "Дата рождения", "Возраст", "Пол", "Муниципалитет", "Населённый пункт")
    names = sorted(r[0] for r in rows[1:])
    assert names == sorted(str(c) for c in sel.coverage_children(f=a1_filter(w)))
    kid = next(r for r in rows[1:] if r[0].startswith("Смирнов0"))
    assert kid[2] == 13 and isinstance(kid[2], int)  # numbers stay numbers
    assert kid[1].date() == dt.date(2012, 1, 1)
    response = client.get("/monitoring/list/groups/", {"on": ON.isoformat(), "format": "csv"})
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Организация", "Программа", "Группа", "Мест", "Зачислено", "Наполняемость, %"]
    art = next(r for r in table[1:] if r[2] == w.art.name)
    assert art[3:] == ["2", "2", "100,0"]


def test_the_aggregates_label_their_time_and_give_the_same_figures(client, town):
    w = town
    client.force_login(w.municipal_admin)
    live = client.get("/monitoring/", {"on": ON.isoformat()}).context
    aggregates_refresh(on=ON)
    response = client.get("/monitoring/", {"on": ON.isoformat()})
    assert response.context["coverage"].source == sel.AGGREGATES
    assert "Из сводных данных, рассчитано" in response.content.decode()
    for name in ("children", "enrollments", "population", "percent"):
        assert getattr(response.context["coverage"], name) == getattr(live["coverage"], name)
    assert [(r.key, r.enrollments, r.children) for r in response.context["by_type"].rows] == [
        (r.key, r.enrollments, r.children) for r in live["by_type"].rows]


def test_missing_population_and_coverage_over_100_percent_warn(client, world):
    client.force_login(world.regional_admin)
    body = client.get("/monitoring/", {"on": ON.isoformat(), "municipality": world.a2.pk}).content.decode()
    assert 'class="mon-warning"' in body and world.a2.name in body
    f.PopulationFactory(municipality=world.a2, year=ON.year, age=10, count=0)
    for age in range(18):
        if age != 10:
            f.PopulationFactory(municipality=world.a2, year=ON.year, age=age, count=0)
    f.PopulationFactory(municipality=world.a2, year=ON.year - 1, age=10, count=0)
    response = client.get("/monitoring/", {"on": ON.isoformat(), "municipality": world.a2.pk})
    assert response.context["coverage"].warnings == sel.coverage_summary(
        f=sel.MonitoringFilter(on=ON, territory=world.a2)).warnings
    assert 'class="mon-warning"' in response.content.decode()


def test_filters_narrow_the_figures(client, town):
    w = town
    client.force_login(w.municipal_admin)
    response = client.get("/monitoring/", {"on": ON.isoformat(), "org_type": "school"})
    assert response.context["coverage"].children == 2
    response = client.get("/monitoring/", {"on": ON.isoformat(), "age": "14-18"})
    assert response.context["f"].age_from == 14 and response.context["coverage"].children == 0
    response = client.get("/monitoring/", {"on": "2024-10-15"})
    assert response.context["coverage"].children == 1
    # The shareable URL of the page carries the filter into every drill-down link.
    assert "org_type=school" in client.get("/monitoring/", {"on": ON.isoformat(), "org_type": "school"}
                                           ).content.decode()


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboard_query_count_is_bounded(client, town, django_assert_max_num_queries):
    w = town
    client.force_login(w.regional_admin)
    url = f"/monitoring/?on={ON.isoformat()}&region={w.region_a.pk}"
    aggregates_refresh(on=ON)
    aggregates_refresh(on=dt.date(2024, 10, 15))
    few = queries(client, url)
    big = f.GroupFactory(programme=f.ProgrammeFactory(organization=w.other_org), capacity=40)
    for i in range(30):
        kid = f.ChildFactory(municipality=w.a2 if i % 2 else w.a1, birth_date=dt.date(2010, 1, 1))
        f.EnrollmentFactory(child=kid, group=big if i % 3 else w.empty)
    aggregates_refresh(on=ON)
    many = queries(client, url)
    assert few == many
    with django_assert_max_num_queries(55):
        client.get(url)
    for section in ("children", "programmes", "groups", "applications", "cards", "staffing"):
        with django_assert_max_num_queries(25):
            client.get(f"/monitoring/section/{section}/?on={ON.isoformat()}&region={w.region_a.pk}")


def test_the_quality_page_links_every_problem_to_where_it_is_fixed(client, town):
    w = town
    tz = timezone.get_current_timezone()
    late = f.ApplicationFactory(child=w.kids[1], group=w.group,
                                submitted_at=dt.datetime(2025, 10, 1, 10, tzinfo=tz),
                                answer_due_at=dt.datetime(2025, 10, 6, 10, tzinfo=tz))
    client.force_login(w.municipal_admin)
    response = client.get("/monitoring/quality/", {"on": ON.isoformat()})
    body = response.content.decode()
    cards = sel.card_completeness(f=a1_filter(w))
    assert [o.organization_id for o in response.context["cards"].organizations] == [
        o.organization_id for o in cards.organizations]
    worst = next(c for c in cards.cards if c.defects)
    assert f'href="/admin/catalog/programme/{worst.programme_id}/change/"' in body
    assert f'href="/inbox/applications/{late.pk}/"' in body
    assert f'href="/inbox/groups/{w.empty.pk}/"' in body
    assert f'href="/admin/catalog/group/{w.empty.pk}/change/"' in body
    overdue = client.get("/monitoring/list/applications/", {"on": ON.isoformat(), "state": "overdue"})
    assert [a.pk for a in overdue.context["page"].object_list] == [late.pk]


def test_the_refresh_button_recomputes_the_aggregates_in_the_background(client, town,
                                                                        django_capture_on_commit_callbacks):
    w = town
    client.force_login(w.parent)
    assert client.post(f"/monitoring/refresh/?on={ON.isoformat()}").status_code == 403
    assert not CoverageSnapshot.objects.exists()
    client.force_login(w.municipal_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/monitoring/refresh/?on={ON.isoformat()}")
    assert response.status_code == 302 and "job=" in response["Location"]
    assert set(CoverageSnapshot.objects.values_list("on", flat=True)) == {
        ON, dt.date(2024, 10, 15), dt.date(2023, 10, 15)}
    page = client.get(response["Location"])
    assert page.context["coverage"].source == sel.AGGREGATES
    assert page.context["job"].status == "done"
    assert f'id="job-{page.context["job"].pk}"' in page.content.decode()


def test_the_staffing_lists_match_the_staffing_figures(client, town):
    w = town
    w.teacher_profile.category = "ru_compliance"
    w.teacher_profile.save(update_fields=["category"])
    f_course = Course.objects.create(teacher=w.teacher_profile, title="ДООП", provider="ИРО", hours=72,
                                     completed_on=dt.date(2024, 3, 1))
    client.force_login(w.municipal_admin)
    staffing = sel.staffing(f=a1_filter(w))
    query = {"on": ON.isoformat()}
    listed = client.get("/monitoring/list/teachers/", {**query, "group": "qualified"}).context["page"].paginator.count
    assert listed == round(staffing.highest_or_first_share * staffing.teachers / 100) == 1
    courses = client.get("/monitoring/list/teachers/", {**query, "group": "courses"}).context["page"]
    assert [t.pk for t in courses.object_list] == [f_course.teacher_id] and staffing.with_courses_3y == 1
    everyone = client.get("/monitoring/list/teachers/", query).context["page"].paginator.count
    assert everyone == staffing.teachers == 2


def test_the_dashboard_shows_unresolved_duplicates_and_their_effect_on_coverage(client, town):
    """Three records of one child (two open pairs sharing kids[0]) could remove two children: 4 → 2 covered."""
    from kruzhok.dedup.models import Candidate

    w = town
    for other in w.kids[1:]:
        a, b = sorted([w.kids[0], other], key=lambda c: c.pk)
        Candidate.objects.create(child_a=a, child_b=b, municipality=w.a1, match_weight=20, match_probability=0.99)
    client.force_login(w.municipal_admin)
    response = client.get("/monitoring/", {"on": ON.isoformat()})
    effect = response.context["duplicates"]
    coverage = sel.coverage_summary(f=a1_filter(w))
    assert (effect.pairs, effect.removable) == (2, 2)
    assert effect.percent_if_merged == pytest.approx((coverage.children - 2) * 100 / coverage.population)
    assert kpi(response.content.decode(), "kpi-duplicates") == "2"
