"""The order form of a report: template × territory × period × language, and the template's free texts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.reports.registry import TEMPLATES
from kruzhok.reports.selectors import report_territories

LEVEL_LABELS = {"region": _("Регионы"), "municipality": _("Муниципалитеты"), "organization": _("Организации")}


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The current half-year up to today."""
    start = dt.date(today.year, 1 if today.month <= 6 else 7, 1)
    return start, today


class ReportOrderForm(forms.Form):
    template = forms.ChoiceField(label=_("Шаблон"))
    territory = forms.ChoiceField(label=_("Территория или организация"))
    start = forms.DateField(label=_("Период с"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("по"), widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(label=_("Язык отчёта"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.territories = {level: list(report_territories(user=user, level=level)) for level in LEVEL_LABELS}
        self.fields["template"].choices = [(t.code, t.label) for t in TEMPLATES.values()
                                           if self.territories[t.level]]
        self.fields["territory"].choices = [
            (LEVEL_LABELS[level], [(f"{level}:{item.pk}", str(item)) for item in items])
            for level, items in self.territories.items() if items]
        start, end = default_period(timezone.localdate())
        self.initial.setdefault("start", start)
        self.initial.setdefault("end", end)
        texts: dict[str, Any] = {}
        for spec in TEMPLATES.values():
            for key, label in spec.texts:
                texts.setdefault(key, label)
        for key, label in texts.items():
            self.fields[f"text_{key}"] = forms.CharField(label=label, required=False, max_length=20000,
                                                         widget=forms.Textarea(attrs={"rows": 3}))

    @property
    def may_order(self) -> bool:
        return bool(self.fields["template"].choices)

    def clean(self) -> dict:
        data = super().clean()
        spec = TEMPLATES.get(data.get("template", ""))
        value = data.get("territory", "")
        if spec and value:
            level, _sep, pk = value.partition(":")
            match = [t for t in self.territories.get(level, []) if str(t.pk) == pk]
            if level != spec.level or not match:
                self.add_error("territory", _("Выберите территорию уровня этого шаблона: %(level)s.")
                               % {"level": LEVEL_LABELS[spec.level]})
            else:
                data["territory_object"] = match[0]
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("Конец периода раньше его начала."))
        data["texts"] = {key[5:]: value for key, value in data.items() if key.startswith("text_") and value}
        return data
