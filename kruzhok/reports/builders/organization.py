"""The organization's annual information (the structure of seed 000: «Информация о деятельности … Дворец школьников»).

Figures from ``kruzhok.events.selectors`` (teachers, achievements, partnerships, courses, publications, events) and
``kruzhok.monitoring.selectors.organization_activity`` (clubs, children, ages, graduates of one organization).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kruzhok.catalog.models import Organization
from kruzhok.events import selectors as events
from kruzhok.monitoring.selectors import organization_activity, years_before
from kruzhok.reports.builders.common import period_text
from kruzhok.reports.document import SUM, Chart, Column, Figure, Figures, FreeText, Report, Table
from kruzhok.reports.registry import BuildContext


def organization_report(context: BuildContext) -> Report:
    organization: Organization = context.territory  # type: ignore[assignment]
    label = f"{organization.name}, {organization.municipality.localized_name(context.language)}"
    period = period_text(context.start, context.end)
    report = Report(title=_("Информация о деятельности организации"), subtitle=f"{label} · {period}",
                    language=context.language, footer=f"{organization.short_name} · {period}",
                    meta=[(_("Организация"), label), (_("Период"), period),
                          (_("Показатели «на дату» — на"), context.on.strftime("%d.%m.%Y"))])
    if context.texts.get("summary"):
        report.section(_("Основная цель и содержание работы")).add(
            FreeText("summary", _("Основная цель и содержание работы"), context.texts["summary"]))

    activity = organization_activity(organization=organization, on=context.on, start=context.start, end=context.end)
    clubs = report.section(_("Направленности, объединения и дети"))
    clubs.add(Figures([
        Figure(_("Направленностей"), len(activity.directions), key="directions"),
        Figure(_("Программ"), activity.programmes, key="programmes"),
        Figure(_("Кружков и объединений (групп)"), activity.groups, key="groups"),
        Figure(_("Детей (каждый один раз)"), activity.children, key="children"),
        Figure(_("Возраст детей: от"), activity.age_min, key="age_min"),
        Figure(_("Возраст детей: до"), activity.age_max, key="age_max"),
        Figure(_("Выпускников за период"), activity.graduates, key="graduates"),
    ]))
    clubs.add(Table(_("Направленности"), [Column(_("Направленность")), Column(_("Программ"), "int"),
                                          Column(_("Групп"), "int"), Column(_("Детей"), "int")],
                    [[d.label, d.programmes, d.groups, d.children] for d in activity.directions],
                    totals=[_("Итого"), SUM, SUM, activity.children], sheet=_("Направленности"),
                    note=_("Ребёнок, занимающийся по разным направленностям, считается в каждой; в итоге — один раз.")))
    clubs.add(Chart("bar", _("Дети по направленностям"), [d.label for d in activity.directions],
                    [d.children for d in activity.directions]))
    clubs.add(Table(_("Возраст детей"), [Column(_("Лет")), Column(_("Детей"), "int")],
                    [[band, n] for band, n in activity.by_age], totals=[_("Итого"), SUM], sheet=_("Возраст")))

    area = {"organization": organization}
    staff = events.staffing_summary(on=context.on, **area)
    teachers = report.section(_("Педагоги"))
    teachers.add(Figures([Figure(_("Педагогов дополнительного образования"), staff.total, key="teachers"),
                          Figure(_("Из них внешних специалистов"), staff.external, key="external")]))
    teachers.add(Table(_("Педагоги по образованию"), [Column(_("Образование")), Column(_("Педагогов"), "int")],
                       [[r.label, r.count] for r in staff.by_education], totals=[_("Итого"), SUM],
                       sheet=_("Образование")))
    teachers.add(Table(_("Педагоги по квалификационной категории"), [Column(_("Категория")),
                                                                       Column(_("Педагогов"), "int")],
                       [[r.label, r.count] for r in staff.by_category], sheet=_("Категории")))

    span = {"start": context.start, "end": context.end, **area}
    summary = events.achievements_summary(**span)
    achievements = report.section(_("Достижения педагогов и воспитанников"))
    achievements.add(Figures([
        Figure(_("Призёров и победителей"), summary.prize_total, key="prize_total"),
        Figure(_("Детей — призёров и победителей"), summary.children, key="prize_children"),
        Figure(_("Педагогов, подготовивших призёров"), len(summary.teachers), key="mentors"),
    ]))
    achievements.add(Table(_("Призёры и победители по уровням"), [Column(_("Уровень")), Column(_("Призёров"), "int")],
                           [[r.label, r.count] for r in summary.by_level], totals=[_("Итого"), SUM],
                           sheet=_("По уровням")))
    achievements.add(Table(_("Результаты по местам"), [Column(_("Результат")), Column(_("Количество"), "int")],
                           [[r.label, r.count] for r in summary.by_place], totals=[_("Итого"), SUM],
                           sheet=_("По местам")))

    partnerships = events.partnership_rows(on=context.on, **area)
    report.section(_("Меморандумы и социальное партнёрство")).add(Table(
        _("Меморандумы и договоры"), [Column(_("Вид")), Column(_("Партнёры")), Column(_("Детей"), "int"),
                                      Column(_("Программы (кружки)")), Column(_("Совместных мероприятий"), "int")],
        [[p.kind_label, p.partners, p.children_covered, ", ".join(p.programmes), p.joint_events]
         for p in partnerships], totals=[_("Итого"), "", SUM, "", SUM], sheet=_("Партнёрства")))

    growth = report.section(_("Повышение квалификации и публикации"))
    growth.add(Figures([Figure(_("Педагогов прошли курсы повышения квалификации"),
                               events.teachers_trained(**span), key="trained")]))
    growth.add(Table(_("Курсы повышения квалификации по организаторам"),
                     [Column(_("Организатор курсов")), Column(_("Педагогов"), "int")],
                     [[r.label, r.count] for r in events.courses_summary(**span)], sheet=_("Курсы")))
    growth.add(Table(_("Публикации"), [Column(_("Издание")), Column(_("Уровень")), Column(_("Статей"), "int")],
                     [[r.journal, r.level_label, r.count] for r in events.publications_by_journal(
                         start_year=context.start.year, end_year=context.end.year, **area)],
                     totals=[_("Итого"), "", SUM], sheet=_("Публикации")))

    previous = (years_before(context.start, 1), years_before(context.end, 1))
    change = events.events_change(current=(context.start, context.end), previous=previous, by="direction", **area)
    report.section(_("Массовые мероприятия: сравнение с прошлым годом")).add(Table(
        _("Проведено мероприятий: %(now)s против %(before)s") % {"now": period_text(context.start, context.end),
                                                                  "before": period_text(*previous)},
        [Column(_("Направленность")), Column(_("Год назад"), "int"), Column(_("За период"), "int"),
         Column(_("Изменение"), "percent")],
        [[r.label, r.previous, r.current, r.change_pct] for r in change], totals=[_("Итого"), SUM, SUM, None],
        sheet=_("Мероприятия")))

    report.section(_("Проблемы")).add(FreeText("problems", _("Проблемы"), context.texts.get("problems", "")))
    return report



