"""The demo municipality's report: every number in the DOCX and the XLSX equals its selector's value, the PDF
renders, and Kazakh letters survive into every format (one demo build for the module: see ``conftest.py``).

The expected tables are built here from ``kruzhok.monitoring.selectors`` and ``kruzhok.events.selectors`` directly,
then compared cell by cell with the files read back.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from kruzhok.events import selectors as events
from kruzhok.monitoring import selectors as monitoring
from kruzhok.reports.document import format_cell
from kruzhok.reports.tests.conftest import START, TODAY
from kruzhok.reports.tests.readback import (
    KAZAKH,
    docx_tables,
    docx_text,
    pdf_page_ink,
    pdf_pages,
    pdf_text,
    xlsx_sheets,
)

pytestmark = pytest.mark.django_db


def participants(p):
    return p.count


def expected(municipality) -> dict:
    """sheet name → (title, column kinds, rows, totals as values); "figures" → the key figures in order."""
    f = monitoring.MonitoringFilter(on=TODAY, territory=municipality, age_from=5, age_to=18)
    coverage = monitoring.coverage_summary(f=f)
    everyone = monitoring.coverage_summary(f=monitoring.MonitoringFilter(on=TODAY, territory=municipality,
                                                                         age_from=0, age_to=18))
    flags = monitoring.programme_flag_counts(f=f)
    area = {"start": START, "end": TODAY, "municipality": municipality}
    summary = events.achievements_summary(**area)
    figures = [everyone.population, coverage.population, monitoring.organizations_licensed(territory=municipality),
               coverage.children, coverage.enrollments, coverage.percent,
               next(r.count for r in flags.rows if r.key == "gifted"), summary.children, summary.prize_total]
    tables = {}
    breakdown_kinds = ["text", "int", "percent", "int", "percent"]
    for sheet, by in (("Типы", "organization_type"), ("Направленности", "direction")):
        b = monitoring.coverage_breakdown(f=f, by=by)
        tables[sheet] = (breakdown_kinds,
                         [[r.label, r.enrollments, r.enrollment_share, r.children, r.children_share] for r in b.rows],
                         ["Итого", b.total_enrollments, None, b.total_children, None])
    trend = monitoring.coverage_trend(f=f, years=3)
    tables["Динамика"] = (["date", "int", "int", "percent"],
                          [[p.on, p.children, p.population, p.percent] for p in trend], None)
    tables["Программы"] = (["text", "int", "percent"], [[str(r.label), r.count, r.share] for r in flags.rows], None)
    for sheet, audience in (("Для педагогов", "teachers"), ("Для детей", "children")):
        rows = events.event_table(audience=audience, **area)
        tables[sheet] = (["text", "text", "int"], [[r.title, r.dates, r.participants.count] for r in rows],
                         ["Итого", "", sum(r.participants.count for r in rows)])
    tables["Достижения"] = (["text", "int"], [[r.label, r.count] for r in summary.by_level],
                            ["Итого", summary.prize_total])
    shifts = events.shift_rows(**area)
    tables["Смены"] = (["text", "text", "text", "int"],
                       [[s.event.title, s.dates, ", ".join(s.programmes), s.participants.count] for s in shifts],
                       ["Итого", "", "", sum(s.participants.count for s in shifts)])
    return {"figures": figures, "tables": tables, "lower_bounds": {
        r.title for a in ("teachers", "children") for r in events.event_table(audience=a, **area)
        if r.participants.lower_bound}}


def same(value):
    """A float read back from XLSX keeps 15 significant digits."""
    if value == "":
        return None  # an empty text cell reads back as no value
    return pytest.approx(value, rel=1e-12) if isinstance(value, float) else value


def _sum_formula(value, rows: list, column: int) -> int | float:
    """A ``=SUM(B3:B9)`` total evaluated over the sheet's own cells."""
    match = re.fullmatch(r"=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", value)
    assert match, value
    first, last = int(match[2]), int(match[4])
    return sum(rows[r - 1][column] or 0 for r in range(first, last + 1))


@pytest.fixture(scope="module")
def want(demo_reports, django_db_blocker):
    with django_db_blocker.unblock(), translation.override("ru"):
        return expected(demo_reports.municipality)


def test_xlsx_numbers_equal_the_selectors(demo_reports, want):
    sheets = xlsx_sheets(demo_reports.files["ru"]["xlsx"])
    summary = sheets["Сводка"]
    numbers = [row[1] for row in summary if len(row) > 1 and isinstance(row[1], (int, float))
               and not isinstance(row[1], bool)]
    assert numbers == [same(v) for v in want["figures"] if v is not None]
    assert set(sheets) == {"Сводка", *want["tables"]}
    for sheet, (kinds, rows, totals) in want["tables"].items():
        got = sheets[sheet]
        body = got[2:2 + len(rows)]
        for got_row, want_row in zip(body, rows, strict=True):
            for kind, got_cell, want_cell in zip(kinds, got_row, want_row, strict=True):
                if kind == "date":
                    assert got_cell.date() == want_cell, sheet
                else:
                    assert got_cell == same(want_cell), (sheet, want_row)
        if totals is not None:
            total_row = got[2 + len(rows)]
            for column, (got_cell, want_cell) in enumerate(zip(total_row, totals, strict=True)):
                if isinstance(got_cell, str) and got_cell.startswith("=SUM"):
                    assert _sum_formula(got_cell, got, column) == want_cell, sheet
                else:
                    assert got_cell == same(want_cell), sheet


def test_docx_numbers_equal_the_selectors(demo_reports, want):
    tables = docx_tables(demo_reports.files["ru"]["docx"])
    figure_tables = [rows for _heading, rows in tables if len(rows[0]) == 2 and rows[0][0] != "Уровень"]
    figure_texts = [row[1] for rows in figure_tables for row in rows]
    assert figure_texts == [format_cell(v, "percent" if i == 5 else "int") for i, v in enumerate(want["figures"])]
    data_tables = [rows for heading, rows in tables if rows not in figure_tables]
    assert len(data_tables) == len(want["tables"])
    for rows, (sheet, (kinds, want_rows, totals)) in zip(data_tables, want["tables"].items(), strict=True):
        body = rows[1:1 + len(want_rows)]
        for got_row, want_row in zip(body, want_rows, strict=True):
            cells = [format_cell(v, k) for v, k in zip(want_row, kinds, strict=True)]
            if want_row[0] in want["lower_bounds"]:
                cells[-1] = f"более {want_row[-1]}"
            assert got_row == cells, sheet
        if totals is not None:
            total = rows[1 + len(want_rows)]
            assert total[0] == "Итого"
            for text, value, kind in zip(total[1:], totals[1:], kinds[1:], strict=True):
                if isinstance(value, int) and text.startswith("более"):
                    assert text == f"более {value}", sheet
                elif value != "":
                    assert text == format_cell(value, kind), sheet


def test_report_records_its_order_and_data_time(demo_reports):
    report = demo_reports.reports["ru"]
    assert report.author == demo_reports.admin
    assert (report.period_start, report.period_end, report.language) == (START, TODAY, "ru")
    assert report.data_at is not None and report.data_at >= report.created_at - dt.timedelta(seconds=1)
    assert report.title == "Отчёт о работе муниципального опорного центра"
    assert report.parameters["texts"]["prospects"].startswith("Развитие")


def test_pdf_renders_pages_that_are_not_blank(demo_reports, tmp_path):
    path = demo_reports.files["ru"]["pdf_path"]
    assert pdf_pages(path) >= 3
    assert pdf_page_ink(path, tmp_path, page=1) > 0.01
    assert "Отчёт о работе муниципального опорного центра" in pdf_text(path)


def test_kazakh_letters_survive_into_every_format(demo_reports):
    files = demo_reports.files["kk"]
    letters = KAZAKH.split()
    docx = docx_text(files["docx"])
    xlsx = "\n".join(str(c) for rows in xlsx_sheets(files["xlsx"]).values() for row in rows for c in row if c)
    pdf = pdf_text(files["pdf_path"])
    for text in (docx, xlsx, pdf):
        assert all(letter in text for letter in letters)
        assert "Солтүстік қаласы" in text  # the municipality's Kazakh name


def test_weekly_monitoring_figures_equal_the_selectors(demo_reports, django_db_blocker):
    """The weekly report's key figures (seed 004, 8.1–8.2), in the XLSX summary and the DOCX, in order."""
    from kruzhok.dedup.selectors import dedup_unresolved_summary

    municipality = demo_reports.municipality
    with django_db_blocker.unblock(), translation.override("ru"):
        f = monitoring.MonitoringFilter(on=TODAY, territory=municipality, age_from=5, age_to=18)
        timeliness = monitoring.application_timeliness(f=f, start=START, end=TODAY)
        cards = monitoring.card_completeness(f=f)
        pairs, removable = dedup_unresolved_summary(territory=municipality)
        fill = monitoring.group_fill(f=f)
    figures = [(timeliness.total, "int"), (timeliness.answered_in_time, "int"), (timeliness.answered_late, "int"),
               (timeliness.pending, "int"), (timeliness.overdue, "int"), (timeliness.share_in_time, "percent"),
               (timeliness.median_hours, "decimal"), (cards.programmes, "int"), (cards.mean_score, "percent"),
               (pairs, "int"), (removable, "int"), (fill.groups, "int"), (fill.capacity, "int"),
               (fill.enrolled, "int"), (fill.mean_fill, "ratio"), (fill.under, "int"), (fill.full, "int"),
               (fill.over, "int")]
    summary = xlsx_sheets(demo_reports.files["weekly"]["xlsx"])["Сводка"]
    numbers = [row[1] for row in summary if len(row) > 1 and isinstance(row[1], (int, float))]
    assert numbers == [same(value) for value, _kind in figures if value is not None]
    tables = docx_tables(demo_reports.files["weekly"]["docx"])
    texts = [row[1] for _heading, rows in tables if len(rows[0]) == 2 and rows[0][0] != "Недочёт" for row in rows]
    assert texts == [format_cell(value, kind) for value, kind in figures]
    sheets = xlsx_sheets(demo_reports.files["weekly"]["xlsx"])
    fill_rows = sheets["Группы"][2:]
    assert [row[3:] for row in fill_rows] == [[r.capacity, r.enrolled, same(r.fill)] for r in fill.problems]
    assert [row[1] for row in sheets["Недочёты"][2:]] == list(cards.defect_counts.values())
    # No personal data: the children behind the overdue answers are not named anywhere.
    names = {r.child for r in timeliness.overdue_list}
    assert names
    text = docx_text(demo_reports.files["weekly"]["docx"]) + "\n".join(
        str(cell) for rows in sheets.values() for row in rows for cell in row if cell)
    assert not any(name in text for name in names)


def test_regional_table_cells_equal_the_per_municipality_selectors(demo_reports):
    """The regional table reads every municipality at once (grouped selectors); each XLSX cell equals the
    per-territory selector of its municipality, and the totals row the region's."""
    from kruzhok.reports.registry import BuildContext, template_get
    from kruzhok.reports.to_xlsx import xlsx_render
    from kruzhok.territory.models import Municipality

    region = demo_reports.municipality.region
    with translation.override("ru"):
        document = template_get("regional").build(BuildContext(territory=region, start=START, end=TODAY, texts={},
                                                               language="ru"))
        sheet = xlsx_sheets(xlsx_render(document))["Мониторинг"]

    def indicators(territory) -> list:
        f = monitoring.MonitoringFilter(on=TODAY, territory=territory, age_from=5, age_to=18)
        cover = monitoring.coverage_summary(f=f, source=monitoring.AGGREGATES)
        flags = {r.key: r.count for r in monitoring.programme_flag_counts(f=f).rows}
        timeliness = monitoring.application_timeliness(f=f, start=START, end=TODAY)
        staff = monitoring.staffing(f=f)
        return [cover.population, cover.children, cover.percent, monitoring.organizations_licensed(territory=territory),
                monitoring.programme_flag_counts(f=f).total, flags["network"], flags["adapted_ovz"],
                flags["certificate"], monitoring.group_fill(f=f).mean_fill,
                monitoring.card_completeness(f=f).mean_score,
                timeliness.total, timeliness.share_in_time, timeliness.overdue, staff.teachers,
                staff.highest_or_first_share]

    municipalities = list(Municipality.objects.filter(region=region).order_by("name", "pk"))
    assert len(municipalities) > 1
    body = sheet[2:2 + len(municipalities)]
    for municipality, row in zip(municipalities, body, strict=True):
        assert row[0] == municipality.name
        assert row[1:16] == [same(v) for v in indicators(municipality)], municipality.code
    total_row = sheet[2 + len(municipalities)]
    for column, (got, want) in enumerate(zip(total_row[1:16], indicators(region), strict=True), start=1):
        if isinstance(got, str) and got.startswith("=SUM"):
            assert _sum_formula(got, sheet, column) == want, column
        else:
            assert got == same(want), column
