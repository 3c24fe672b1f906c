"""The weekly monitoring for the municipal administrator (seed 004, measures 8.1–8.2): new applications and the
organizations' answers, overdue answers, programme-card defects, possible duplicate children, group fill.

Figures from ``kruzhok.monitoring.selectors`` and the duplicate summary of ``kruzhok.dedup.selectors``. No child is
named: the report may be published, and it carries aggregates and organizations only.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kruzhok.dedup.selectors import dedup_unresolved_summary
from kruzhok.monitoring import selectors as monitoring
from kruzhok.reports.builders.common import monitoring_filter, report_start
from kruzhok.reports.document import SUM, Chart, Column, Figure, Figures, Report, Table
from kruzhok.reports.registry import BuildContext
from kruzhok.territory.models import Municipality


def weekly_report(context: BuildContext) -> Report:
    municipality: Municipality = context.territory  # type: ignore[assignment]
    report = report_start(context, title=_("Еженедельный мониторинг муниципального администратора"),
                          territory_label=municipality.localized_name(context.language))
    f = monitoring_filter(context)

    timeliness = monitoring.application_timeliness(f=f, start=context.start, end=context.end)
    applications = report.section(_("Заявки и ответы организаций"))
    applications.add(Figures([
        Figure(_("Новых заявок за период"), timeliness.total, key="applications"),
        Figure(_("Ответ дан в срок"), timeliness.answered_in_time, key="in_time"),
        Figure(_("Ответ дан с опозданием"), timeliness.answered_late, key="late"),
        Figure(_("Ожидают ответа, срок не истёк"), timeliness.pending, key="pending"),
        Figure(_("Просрочен ответ"), timeliness.overdue, key="overdue"),
        Figure(_("Доля ответов в срок"), timeliness.share_in_time, "percent", key="share_in_time"),
        Figure(_("Медиана времени до решения, часов"), timeliness.median_hours, "decimal", key="median_hours"),
    ]))
    applications.add(Table(
        _("Просроченные ответы на заявки"),
        [Column(_("Организация")), Column(_("Группа")), Column(_("Подана"), "date"), Column(_("Срок ответа"), "date"),
         Column(_("Дней просрочки"), "int")],
        [[r.organization, r.group, r.submitted_at.date(), r.answer_due_at.date(), r.days_overdue]
         for r in timeliness.overdue_list], sheet=_("Просрочки")))

    cards = monitoring.card_completeness(f=f)
    quality = report.section(_("Корректность карточек программ"))
    quality.add(Figures([Figure(_("Программ проверено"), cards.programmes, key="programmes"),
                         Figure(_("Средняя полнота карточки"), cards.mean_score, "percent", key="card_score")]))
    quality.add(Table(_("Недочёты карточек"), [Column(_("Недочёт")), Column(_("Программ"), "int")],
                      [[str(monitoring.CARD_DEFECTS.get(code, code)), n] for code, n in cards.defect_counts.items()],
                      sheet=_("Недочёты")))
    quality.add(Table(_("Карточки по организациям"),
                      [Column(_("Организация")), Column(_("Программ"), "int"), Column(_("Полнота"), "percent"),
                       Column(_("Недочётов"), "int")],
                      [[o.organization, o.programmes, o.mean_score, sum(o.defects.values())]
                       for o in cards.organizations], totals=[_("Итого"), SUM, cards.mean_score, SUM],
                      sheet=_("Организации")))

    duplicates_section(report, context)

    fill = monitoring.group_fill(f=f)
    groups = report.section(_("Наполняемость групп"))
    groups.add(Figures([
        Figure(_("Действующих групп"), fill.groups, key="groups"),
        Figure(_("Мест"), fill.capacity, key="capacity"),
        Figure(_("Зачислено"), fill.enrolled, key="enrolled"),
        Figure(_("Средняя наполняемость"), fill.mean_fill, "ratio", key="mean_fill"),
        Figure(_("Недоукомплектованных групп (меньше %(p)s %% мест)") % {"p": round(fill.threshold * 100)},
               fill.under, key="under"),
        Figure(_("Полных групп"), fill.full, key="full"),
        Figure(_("Групп сверх вместимости (ошибка данных)"), fill.over, key="over"),
    ]))
    groups.add(Chart("pie", _("Группы по наполняемости"),
                     [_("недоукомплектованы"), _("обычная"), _("полные"), _("сверх вместимости")],
                     [fill.under, fill.normal, fill.full, fill.over]))
    groups.add(Table(_("Группы, требующие внимания"),
                     [Column(_("Организация")), Column(_("Программа")), Column(_("Группа")), Column(_("Мест"), "int"),
                      Column(_("Зачислено"), "int"), Column(_("Наполняемость"), "ratio")],
                     [[r.organization, r.programme, r.group, r.capacity, r.enrolled, r.fill] for r in fill.problems],
                     sheet=_("Группы")))
    return report


def duplicates_section(report: Report, context: BuildContext) -> None:
    """Possible duplicate children awaiting a decision (the dedup app's summary of unresolved pairs)."""
    pairs, removable = dedup_unresolved_summary(territory=context.territory)
    report.section(_("Возможные дубликаты детей")).add(Figures([
        Figure(_("Пар возможных дубликатов ждут решения"), pairs, key="duplicate_pairs"),
        Figure(_("На столько уменьшится число уникальных детей, если их объединить"), removable,
               key="duplicate_removable"),
    ]))
