"""The regional monitoring table: one row per municipality, the target model's indicators as columns, totals.

Each cell is the value of a ``kruzhok.monitoring.selectors`` figure for that municipality, all municipalities read at
once by the grouped selectors (``…_by_municipality``: one query per indicator, not one per municipality); the totals
row holds the same figures for the whole region (counts also as ``=SUM`` formulas in XLSX, which equal them).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kruzhok.monitoring import selectors as monitoring
from kruzhok.reports.builders.common import AGE_FROM, AGE_TO, computed_note, monitoring_filter, report_start
from kruzhok.reports.document import SUM, Chart, Column, Report, Table
from kruzhok.reports.registry import BuildContext
from kruzhok.territory.models import Municipality, Region

SOURCE = monitoring.AGGREGATES  # falls back to live figures when no aggregates exist for the day


def _flag(flags: monitoring.FlagCounts, key: str) -> int:
    return next((r.count for r in flags.rows if r.key == key), 0)


def indicator_row(coverage: monitoring.Coverage, licensed: int, flags: monitoring.FlagCounts,
                  fill: monitoring.GroupFill, cards: monitoring.CardCompleteness, timeliness: monitoring.Timeliness,
                  staff: monitoring.Staffing) -> list:
    """The indicators of one territory (a municipality, or the region for the totals)."""
    return [coverage.population, coverage.children, coverage.percent, licensed, flags.total,
            _flag(flags, "network"), _flag(flags, "adapted_ovz"), _flag(flags, "certificate"), fill.mean_fill,
            cards.mean_score, timeliness.total, timeliness.share_in_time, timeliness.overdue, staff.teachers,
            staff.highest_or_first_share]


COLUMNS = (
    (lambda: _("Детей %(a)s–%(b)s лет") % {"a": AGE_FROM, "b": AGE_TO - 1}, "int", True),
    (lambda: _("Охвачено детей"), "int", True),
    (lambda: _("Охват"), "percent", False),
    (lambda: _("Организаций с лицензией"), "int", True),
    (lambda: _("Программ"), "int", True),
    (lambda: _("Сетевых программ"), "int", True),
    (lambda: _("Программ для детей с ОВЗ"), "int", True),
    (lambda: _("Программ по сертификату"), "int", True),
    (lambda: _("Наполняемость групп"), "ratio", False),
    (lambda: _("Полнота карточек программ"), "percent", False),
    (lambda: _("Заявок за период"), "int", True),
    (lambda: _("Ответов на заявки в срок"), "percent", False),
    (lambda: _("Просроченных ответов"), "int", True),
    (lambda: _("Педагогов"), "int", False),  # a teacher working in two municipalities counts once in the region
    (lambda: _("Доля педагогов высшей и первой категории"), "percent", False),
)


def regional_report(context: BuildContext) -> Report:
    region: Region = context.territory  # type: ignore[assignment]
    report = report_start(context, title=_("Мониторинг целевой модели развития дополнительного образования"),
                          territory_label=region.localized_name(context.language))
    f = monitoring_filter(context)
    coverage = monitoring.coverage_by_municipality(f=f, source=SOURCE)
    figures = (coverage, monitoring.organizations_licensed_by_municipality(territory=region),
               monitoring.programme_flag_counts_by_municipality(f=f), monitoring.group_fill_by_municipality(f=f),
               monitoring.card_completeness_by_municipality(f=f),
               monitoring.application_timeliness_by_municipality(f=f, start=context.start, end=context.end,
                                                                 median=False),
               monitoring.staffing_by_municipality(f=f, children=False))
    municipalities = Municipality.objects.filter(region=region).order_by("name", "pk")
    rows = [[m.localized_name(context.language), *indicator_row(*(figure.rows[m.pk] for figure in figures))]
            for m in municipalities]
    totals = [_("Итого по региону")] + [
        SUM if additive else value for (_label, _kind, additive), value
        in zip(COLUMNS, indicator_row(*(figure.total for figure in figures)), strict=True)]
    columns = [Column(_("Муниципалитет"))] + [Column(label(), kind) for label, kind, _additive in COLUMNS]
    section = report.section(_("Показатели по муниципалитетам"))
    section.add(Table(_("Показатели целевой модели по муниципалитетам"), columns, rows, totals=totals,
                      sheet=_("Мониторинг")))
    section.add(Chart("bar", _("Охват детей по муниципалитетам, %"), [r[0] for r in rows], [r[3] or 0 for r in rows],
                      unit="%"))
    computed_note(report, coverage.total.computed_at, *(row.computed_at for row in coverage.rows.values()))
    return report
