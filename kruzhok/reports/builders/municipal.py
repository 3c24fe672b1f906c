"""The municipal support centre's report for a period (the structure of seed 002: «Отчёт о проделанной работе МОЦ»).

Every number comes from ``kruzhok.monitoring.selectors`` (children, coverage, shares, programmes) and
``kruzhok.events.selectors`` (events, achievements, shifts); this module only arranges them.
"""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext as _

from kruzhok.events import selectors as events
from kruzhok.monitoring import selectors as monitoring
from kruzhok.reports.builders.common import (
    AGE_FROM,
    AGE_TO,
    computed_note,
    monitoring_filter,
    participants_cell,
    report_start,
)
from kruzhok.reports.document import SUM, Chart, Column, Figure, Figures, FreeText, Paragraph, Report, Table
from kruzhok.reports.registry import BuildContext
from kruzhok.territory.models import Municipality


def municipal_report(context: BuildContext) -> Report:
    municipality: Municipality = context.territory  # type: ignore[assignment]
    name = municipality.localized_name(context.language)
    f = monitoring_filter(context)
    report = report_start(context, title=_("Отчёт о работе муниципального опорного центра"), territory_label=name)

    if context.texts.get("goals"):
        report.section(_("Цели и задачи")).add(FreeText("goals", _("Цели и задачи"), context.texts["goals"]))

    coverage = monitoring.coverage_summary(f=f)
    all_ages = monitoring.coverage_summary(f=dataclasses.replace(f, age_from=0, age_to=AGE_TO))
    licensed = monitoring.organizations_licensed(territory=municipality)
    children = report.section(_("Дети и охват дополнительным образованием"))
    children.add(Figures([
        Figure(_("Детей, проживающих на территории (0–17 лет)"), all_ages.population, key="population_all"),
        Figure(_("Из них детей %(a)s–%(b)s лет") % {"a": AGE_FROM, "b": AGE_TO - 1}, coverage.population,
               key="population_band"),
        Figure(_("Организаций с лицензией на дополнительное образование"), licensed, key="organizations_licensed"),
        Figure(_("Детей %(a)s–%(b)s лет, занимающихся в творческих объединениях") % {"a": AGE_FROM, "b": AGE_TO - 1},
               coverage.children, key="children"),
        Figure(_("Зачислений (ребёнок в нескольких объединениях — несколько зачислений)"), coverage.enrollments,
               key="enrollments"),
        Figure(_("Доля детей, охваченных дополнительным образованием"), coverage.percent, "percent", key="coverage"),
    ]))
    for warning in coverage.warnings:
        children.add(Paragraph(str(warning)))

    by_type = monitoring.coverage_breakdown(f=f, by="organization_type")
    types = report.section(_("Где занимаются дети: по типам организаций"))
    types.add(_breakdown_table(by_type, _("Доли по типам организаций"), _("Тип организации"), sheet=_("Типы")))
    types.add(Chart("pie", _("Доли зачислений по типам организаций"), [r.label for r in by_type.rows],
                    [r.enrollment_share or 0 for r in by_type.rows]))

    by_direction = monitoring.coverage_breakdown(f=f, by="direction")
    directions = report.section(_("Предпочтения детей: по направленностям"))
    directions.add(_breakdown_table(by_direction, _("Доли по направленностям"), _("Направленность"),
                                    sheet=_("Направленности")))
    directions.add(Chart("bar", _("Доли детей по направленностям, %"), [r.label for r in by_direction.rows],
                         [r.children_share or 0 for r in by_direction.rows], unit="%"))

    trend = monitoring.coverage_trend(f=f, years=3)
    dynamics = report.section(_("Динамика охвата"))
    dynamics.add(Table(_("Охват на ту же дату по годам"),
                       [Column(_("На дату"), "date"), Column(_("Детей"), "int"), Column(_("Численность"), "int"),
                        Column(_("Охват"), "percent")],
                       [[p.on, p.children, p.population, p.percent] for p in trend], sheet=_("Динамика")))
    known = [p for p in trend if p.percent is not None]  # no population that year: no coverage to draw
    if len(known) > 1:
        dynamics.add(Chart("line", _("Охват детей, %"), [p.on.strftime("%d.%m.%Y") for p in known],
                           [p.percent for p in known], unit="%"))

    flags = monitoring.programme_flag_counts(f=f)
    programmes = report.section(_("Программы"))
    programmes.add(Table(_("Программы по признакам (всего программ: %(n)s)") % {"n": flags.total},
                         [Column(_("Признак"), "text"), Column(_("Программ"), "int"), Column(_("Доля"), "percent")],
                         [[r.label, r.count, r.share] for r in flags.rows], sheet=_("Программы")))

    area = {"start": context.start, "end": context.end, "municipality": municipality}
    columns = [Column(_("Название мероприятия")), Column(_("Дата проведения")),
               Column(_("Количество участников"), "int")]
    event_section = report.section(_("Мероприятия"))
    for audience, title, sheet in (
            ("teachers", _("Мероприятия для педагогов"), _("Для педагогов")),
            ("children", _("Конкурсы, соревнования и праздники для обучающихся"), _("Для детей"))):
        rows = events.event_table(audience=audience, **area)
        event_section.add(Table(title, columns, [[r.title, r.dates, participants_cell(r.participants)] for r in rows],
                                totals=[_("Итого"), "", SUM], sheet=sheet))

    summary = events.achievements_summary(**area)
    gifted = report.section(_("Одарённые дети"))
    gifted_programmes = next((r.count for r in flags.rows if r.key == "gifted"), None)
    gifted.add(Figures([
        Figure(_("Программ для одарённых детей"), gifted_programmes, key="gifted_programmes"),
        Figure(_("Детей — призёров и победителей за период"), summary.children, key="prize_children"),
        Figure(_("Призовых мест за период"), summary.prize_total, key="prize_total"),
    ]))
    gifted.add(Table(_("Призёры и победители по уровням мероприятий"),
                     [Column(_("Уровень")), Column(_("Призёров и победителей"), "int")],
                     [[r.label, r.count] for r in summary.by_level], totals=[_("Итого"), SUM],
                     sheet=_("Достижения")))
    if context.texts.get("gifted"):
        gifted.add(FreeText("gifted", _("Маршруты и результаты"), context.texts["gifted"]))

    shifts = events.shift_rows(**area)
    report.section(_("Летние профильные смены")).add(Table(
        _("Профильные смены"), [Column(_("Смена")), Column(_("Даты")), Column(_("Программы")),
                                Column(_("Участников"), "int")],
        [[s.event.title, s.dates, ", ".join(s.programmes), participants_cell(s.participants)] for s in shifts],
        totals=[_("Итого"), "", "", SUM], sheet=_("Смены")))

    report.section(_("Перспективы развития")).add(
        FreeText("prospects", _("Перспективы развития"), context.texts.get("prospects", "")))
    computed_note(report, coverage.computed_at, by_type.computed_at, by_direction.computed_at)
    return report


def _breakdown_table(breakdown: monitoring.Breakdown, title: str, label: str, *, sheet: str) -> Table:
    return Table(
        title,
        [Column(label), Column(_("Зачислений"), "int"), Column(_("Доля зачислений"), "percent"),
         Column(_("Детей"), "int"), Column(_("Доля детей"), "percent")],
        [[r.label, r.enrollments, r.enrollment_share, r.children, r.children_share] for r in breakdown.rows],
        totals=[_("Итого"), SUM, None, breakdown.total_children, None], sheet=sheet,
        note=_("Ребёнок, занимающийся в объединениях разных строк, считается в каждой из них; в итоге — один раз."))
