"""The report templates: what each asks for (territory level, free-text blocks) and which builder fills it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from importlib import import_module
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kruzhok.reports.document import Report

Level = Literal["municipality", "region", "organization"]


@dataclasses.dataclass(frozen=True)
class BuildContext:
    """Everything a builder gets: the territory, the period (inclusive), the reference day and the user's texts."""

    territory: object  # Municipality | Region | Organization
    start: dt.date
    end: dt.date
    texts: dict[str, str]
    language: str

    @property
    def on(self) -> dt.date:
        """The reference day of «as of» figures: the period's last day."""
        return self.end


@dataclasses.dataclass(frozen=True)
class Template:
    code: str
    label: Promise
    level: Level
    builder: str  # "module:function" under kruzhok.reports.builders
    texts: tuple[tuple[str, Promise], ...] = ()
    default_period: str = "halfyear"

    def build(self, context: BuildContext) -> Report:
        module, function = self.builder.split(":")
        build: Callable[[BuildContext], Report] = getattr(import_module(f"kruzhok.reports.builders.{module}"),
                                                          function)
        return build(context)


TEMPLATES: dict[str, Template] = {t.code: t for t in (
    Template("municipal", _("Отчёт муниципального опорного центра за период"), "municipality",
             "municipal:municipal_report", texts=(("goals", _("Цели и задачи")),
                                                  ("gifted", _("Одарённые дети: маршруты и результаты")),
                                                  ("prospects", _("Перспективы развития"))),
             default_period="halfyear"),
    Template("organization", _("Информация о деятельности организации за год"), "organization",
             "organization:organization_report", texts=(("summary", _("Основная цель и содержание работы")),
                                                        ("problems", _("Проблемы"))),
             default_period="year"),
    Template("regional", _("Региональный мониторинг целевой модели по муниципалитетам"), "region",
             "regional:regional_report", default_period="quarter"),
    Template("weekly", _("Еженедельный мониторинг для муниципального администратора"), "municipality",
             "weekly:weekly_report", default_period="week"),
)}


def template_get(code: str) -> Template:
    try:
        return TEMPLATES[code]
    except KeyError:
        from kruzhok.core.errors import DomainError

        raise DomainError(_("Нет такого шаблона отчёта.")) from None
