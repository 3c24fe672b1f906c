"""Pieces shared by the builders: the monitoring filter of a report, the title block, participants as cells."""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

from kruzhok.events.counts import Participants
from kruzhok.monitoring.selectors import MonitoringFilter
from kruzhok.reports.document import AtLeast, Report
from kruzhok.reports.registry import BuildContext

AGE_FROM, AGE_TO = 5, 18


def monitoring_filter(context: BuildContext, *, territory=None) -> MonitoringFilter:
    return MonitoringFilter(on=context.on, territory=territory if territory is not None else context.territory,
                            age_from=AGE_FROM, age_to=AGE_TO)


def period_text(start: dt.date, end: dt.date) -> str:
    return f"{start:%d.%m.%Y}–{end:%d.%m.%Y}"


def report_start(context: BuildContext, *, title: str, territory_label: str) -> Report:
    report = Report(title=title, subtitle=f"{territory_label} · {period_text(context.start, context.end)}",
                    language=context.language, footer=f"{territory_label} · {period_text(context.start, context.end)}")
    report.meta = [
        (_("Территория"), territory_label),
        (_("Период"), period_text(context.start, context.end)),
        (_("Показатели «на дату» — на"), context.on.strftime("%d.%m.%Y")),
        (_("Правило охвата"), _("уникальные дети %(a)s–%(b)s лет, проживающие на территории, с хотя бы одним "
                                "действующим зачислением, ÷ численность детей этого возраста")
         % {"a": AGE_FROM, "b": AGE_TO - 1}),
    ]
    return report


def participants_cell(participants: Participants) -> int | AtLeast:
    return AtLeast(participants.count) if participants.lower_bound else participants.count


def localized_date(day: dt.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def computed_note(report: Report, *times: dt.datetime | None) -> None:
    """The report's data time: the oldest aggregate it read (``None`` = live figures)."""
    known = [t for t in times if t is not None]
    report.data_at = min(known) if known else None
