"""The regional monitoring table: one row per municipality, the target model's indicators as columns, totals.

Each cell is the value of a ``kruzhok.monitoring.selectors`` figure for that municipality; the totals row holds the
same selectors for the whole region (counts also as ``=SUM`` formulas in XLSX, which equal them).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kruzhok.monitoring import selectors as monitoring
from kruzhok.reports.builders.common import AGE_FROM, AGE_TO, computed_note, monitoring_filter, report_start
from kruzhok.reports.document import SUM, Chart, Column, Report, Table
from kruzhok.reports.registry import BuildContext
from kruzhok.reports.selectors import organizations_licensed
from kruzhok.territory.models import Municipality, Region

SOURCE = monitoring.AGGREGATES  # falls back to live figures when no aggregates exist for the day


def _flag(flags: monitoring.FlagCounts, key: str) -> int:
    return next((r.count for r in flags.rows if r.key == key), 0)


def indicator_row(context: BuildContext, territory, coverage_row) -> list:
    """The indicators of one territory (a municipality, or the region for the totals)."""
    f = monitoring_filter(context, territory=territory)
    flags = monitoring.programme_flag_counts(f=f)
    fill = monitoring.group_fill(f=f)
    cards = monitoring.card_completeness(f=f)
    timeliness = monitoring.application_timeliness(f=f, start=context.start, end=context.end)
    staff = monitoring.staffing(f=f)
    licensed = organizations_licensed(**({"region": territory} if isinstance(territory, Region)
                                         else {"municipality": territory}))
    return [coverage_row.population, coverage_row.children, coverage_row.percent, licensed, flags.total,
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
    (lambda: _("Педагогов"), "int", True),
    (lambda: _("Доля педагогов высшей и первой категории"), "percent", False),
)


def regional_report(context: BuildContext) -> Report:
    region: Region = context.territory  # type: ignore[assignment]
    report = report_start(context, title=_("Мониторинг целевой модели развития дополнительного образования"),
                          territory_label=region.localized_name(context.language))
    f = monitoring_filter(context)
    by_municipality = monitoring.coverage_breakdown(f=f, by="municipality", source=SOURCE)
    coverage = {row.key: row for row in by_municipality.rows}
    total = monitoring.coverage_summary(f=f, source=SOURCE)
    municipalities = list(Municipality.objects.filter(region=region).order_by("name"))
    empty = monitoring.BreakdownRow(key="", label="", enrollments=0, enrollment_share=None, children=0,
                                    children_share=None, population=None, percent=None)
    rows = []
    for municipality in municipalities:
        row = coverage.get(str(municipality.pk), empty)
        rows.append([municipality.localized_name(context.language), *indicator_row(context, municipality, row)])
    totals_values = indicator_row(context, region, total)
    totals = [_("Итого по региону")] + [SUM if additive else value for (_label, _kind, additive), value
                                        in zip(COLUMNS, totals_values, strict=True)]
    columns = [Column(_("Муниципалитет"))] + [Column(label(), kind) for label, kind, _additive in COLUMNS]
    section = report.section(_("Показатели по муниципалитетам"))
    section.add(Table(_("Показатели целевой модели по муниципалитетам"), columns, rows, totals=totals,
                      sheet=_("Мониторинг")))
    section.add(Chart("bar", _("Охват детей по муниципалитетам, %"), [r[0] for r in rows], [r[3] or 0 for r in rows],
                      unit="%"))
    computed_note(report, by_municipality.computed_at, total.computed_at)
    return report
