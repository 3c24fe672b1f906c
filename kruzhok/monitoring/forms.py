"""Forms of the monitoring pages: the dashboard's filter (a GET form, so the URL is shareable) and the population grid.

The territory choices are limited to what the user may monitor (see :func:`monitored_territories`): a value
outside them makes the form invalid and the view refuses it (403), so a municipal admin cannot read another
municipality by editing the URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.scoping import user_scope
from kruzhok.catalog.models import Direction, Organization
from kruzhok.core.widgets import QuickSelect
from kruzhok.monitoring.selectors import monitoring_territories
from kruzhok.territory.models import Municipality, Region

# Age bands: (from, to) with ``to`` exclusive, as the counting rule says (5–18: ≥ 5 and < 18 on the date).
AGE_BANDS: dict[str, tuple[int, int]] = {
    "5-18": (5, 18), "3-18": (3, 18), "5-10": (5, 10), "10-14": (10, 14), "14-18": (14, 18), "3-5": (3, 5)}
DEFAULT_BAND = "5-18"
AGE_BAND_CHOICES = [
    ("5-18", _("5–17 лет (показатель охвата)")),
    ("3-18", _("3–17 лет")),
    ("5-10", _("5–9 лет")),
    ("10-14", _("10–13 лет")),
    ("14-18", _("14–17 лет")),
    ("3-5", _("3–4 года")),
]
POPULATION_AGES = range(0, 18)


@dataclass(frozen=True)
class Monitored:
    """The territories one user may monitor: everything (superuser), whole regions, single municipalities."""

    everything: bool
    regions: QuerySet[Region]
    municipalities: QuerySet[Municipality]

    @property
    def any(self) -> bool:
        return self.everything or self.regions.exists() or self.municipalities.exists()


def monitored_territories(user: Any) -> Monitored:
    """The choices of the territory fields, from :func:`selectors.monitoring_territories` (the one rights rule)."""
    if user_scope(user).is_superuser:
        return Monitored(True, Region.objects.all(), Municipality.objects.select_related("region"))
    territories = monitoring_territories(user=user)
    return Monitored(
        False, Region.objects.filter(pk__in=[t.pk for t in territories if isinstance(t, Region)]),
        Municipality.objects.select_related("region").filter(
            pk__in=[t.pk for t in territories if isinstance(t, Municipality)]))


class ListedChoiceIterator(ModelChoiceIterator):
    """The choices from the queryset's own rows (one plain query) rather than ``.iterator()``, which on PostgreSQL
    costs a server-side cursor (three round trips) per field."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class TerritoryChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator
    widget = QuickSelect

    def label_from_instance(self, obj: Any) -> str:
        return obj.localized_name()


class DirectionChoiceField(TerritoryChoiceField):
    pass


class MonitoringFilterForm(forms.Form):
    """Territory, date, age band, direction, organization type. Every field is optional; defaults fill the gaps."""

    region = TerritoryChoiceField(label=_("Регион"), required=False, queryset=Region.objects.none(),
                                  empty_label=None)
    municipality = TerritoryChoiceField(label=_("Муниципалитет"), required=False,
                                        queryset=Municipality.objects.none(), empty_label=_("все муниципалитеты"))
    on = forms.DateField(label=_("На дату"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    age = forms.ChoiceField(label=_("Возраст"), required=False, choices=AGE_BAND_CHOICES, widget=QuickSelect)
    direction = DirectionChoiceField(label=_("Направленность"), required=False,
                                     queryset=Direction.objects.none(), empty_label=_("все направленности"))
    org_type = forms.ChoiceField(label=_("Тип организации"), required=False,
                                 choices=[("", _("все типы"))] + list(Organization.Type.choices), widget=QuickSelect)

    def __init__(self, *args: Any, monitored: Monitored, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.monitored = monitored
        self.fields["region"].queryset = monitored.regions
        self.fields["municipality"].queryset = monitored.municipalities
        self.fields["direction"].queryset = Direction.objects.all()
        if monitored.everything:
            self.fields["region"].empty_label = _("все территории")
        else:
            regions = monitored.regions.count()
            if regions <= 1:
                # One region (or none, for a municipal admin): the choice would be empty or trivial.
                self.fields["region"].widget = forms.HiddenInput()
            if not regions:
                self.fields["municipality"].empty_label = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        municipality = data.get("municipality")
        if municipality is not None:
            data["region"] = None  # the municipality is the narrower, explicit choice
        return data

    def cleaned_on(self) -> dt.date:
        return self.cleaned_data.get("on") or timezone.localdate()

    def cleaned_ages(self) -> tuple[int, int]:
        return AGE_BANDS[self.cleaned_data.get("age") or DEFAULT_BAND]


class PopulationGridForm(forms.Form):
    """One municipality and year: the number of resident children of each single year of age 0–17."""

    municipality = TerritoryChoiceField(label=_("Муниципалитет"), queryset=Municipality.objects.none())
    year = forms.IntegerField(label=_("Год"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        for age in POPULATION_AGES:
            self.fields[f"age_{age}"] = forms.IntegerField(
                label=str(age), required=False, min_value=0, max_value=10_000_000,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def age_fields(self) -> list[forms.BoundField]:
        return [self[f"age_{age}"] for age in POPULATION_AGES]

    def counts(self) -> dict[int, int | None]:
        return {age: self.cleaned_data.get(f"age_{age}") for age in POPULATION_AGES}


class PopulationSelectForm(forms.Form):
    """Which grid to show (GET)."""

    municipality = TerritoryChoiceField(label=_("Муниципалитет"), queryset=Municipality.objects.none())
    year = forms.IntegerField(label=_("Год"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities


class PopulationImportForm(forms.Form):
    file = forms.FileField(label=_("Файл XLSX или CSV"))
