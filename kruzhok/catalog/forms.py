"""The catalog's search form: the query text and the filters, read from the page's GET parameters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import MAX_CHILD_AGE, Programme, ScheduleSlot
from kruzhok.catalog.selectors import CatalogFilters, catalog_filter_choices
from kruzhok.core.widgets import (
    QuickCheckboxes,
    QuickCheckboxInput,
    QuickDateInput,
    QuickHiddenInput,
    QuickNumberInput,
    QuickSelect,
    QuickTextInput,
    QuickTimeInput,
)

ANY = [("", _("любой"))]


class CatalogSearchForm(forms.Form):
    q = forms.CharField(label=_("Что ищете"), max_length=200, required=False,
                        widget=QuickTextInput(attrs={"type": "search",
                                                     "placeholder": _("Робототехника, танцы, шахматы…")}))
    direction = forms.TypedChoiceField(label=_("Направленность"), required=False, coerce=int, empty_value=None,
                                      widget=QuickSelect)
    age = forms.IntegerField(label=_("Возраст ребёнка"), required=False, min_value=0, max_value=MAX_CHILD_AGE,
                             widget=QuickNumberInput)
    birth_date = forms.DateField(label=_("или дата рождения"), required=False,
                                 widget=QuickDateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    municipality = forms.TypedChoiceField(label=_("Муниципалитет"), required=False, coerce=int, empty_value=None,
                                         widget=QuickSelect)
    settlement = forms.TypedChoiceField(label=_("Населённый пункт"), required=False, coerce=int, empty_value=None,
                                       widget=QuickSelect)
    organization = forms.IntegerField(required=False, min_value=1, widget=QuickHiddenInput)
    level = forms.ChoiceField(label=_("Уровень"), required=False, choices=ANY + list(Programme.Level.choices),
                              widget=QuickSelect)
    funding = forms.ChoiceField(label=_("Оплата"), required=False, choices=ANY + list(Programme.Funding.choices),
                                widget=QuickSelect)
    form = forms.ChoiceField(label=_("Форма обучения"), required=False, choices=ANY + list(Programme.Form.choices),
                             widget=QuickSelect)
    adapted_ovz = forms.BooleanField(label=_("Адаптирована для детей с ОВЗ"), required=False,
                                     widget=QuickCheckboxInput)
    weekdays = forms.TypedMultipleChoiceField(label=_("Дни занятий"), required=False, coerce=int,
                                              choices=ScheduleSlot.Weekday.choices, widget=QuickCheckboxes)
    time_from = forms.TimeField(label=_("Занятия начинаются не раньше"), required=False,
                                widget=QuickTimeInput(attrs={"type": "time"}, format="%H:%M"))
    time_to = forms.TimeField(label=_("и заканчиваются не позже"), required=False,
                              widget=QuickTimeInput(attrs={"type": "time"}, format="%H:%M"))
    seats = forms.BooleanField(label=_("Есть свободные места"), required=False, widget=QuickCheckboxInput)
    open = forms.BooleanField(label=_("Приём заявок открыт"), required=False, widget=QuickCheckboxInput)
    page = forms.IntegerField(required=False, min_value=1, widget=QuickHiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = catalog_filter_choices(municipality_id=self._given_id("municipality"),
                                         settlement_id=self._given_id("settlement"))
        self.fields["direction"].choices = ANY + choices.directions
        self.fields["municipality"].choices = ANY + choices.municipalities
        self.fields["settlement"].choices = ANY + choices.settlements

    def _given_id(self, name: str) -> int | None:
        value = self.data.get(name) if self.is_bound else None
        return int(value) if value and str(value).isdigit() else None

    def filters(self) -> CatalogFilters:
        """The filters given; a field with an invalid value is left out (the form shows its error)."""
        self.is_valid()
        data = {name: value for name, value in getattr(self, "cleaned_data", {}).items()
                if name not in self.errors}
        return CatalogFilters(
            q=data.get("q") or "",
            direction_id=data.get("direction"),
            age=data.get("age"),
            birth_date=data.get("birth_date"),
            municipality_id=data.get("municipality"),
            settlement_id=data.get("settlement"),
            organization_id=data.get("organization"),
            level=data.get("level") or None,
            funding=data.get("funding") or None,
            form=data.get("form") or None,
            adapted_ovz=True if data.get("adapted_ovz") else None,
            weekdays=tuple(data.get("weekdays") or ()),
            time_from=data.get("time_from"),
            time_to=data.get("time_to"),
            seats_available=bool(data.get("seats")),
            enrollment_open=bool(data.get("open")),
        )

    def page_number(self) -> int:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("page") or 1
