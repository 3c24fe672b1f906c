"""Forms of the public list of events, of a parent's registration and of the organization's event pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Direction, Organization, Teacher
from kruzhok.events.models import Event, EventLevel, EventResult
from kruzhok.people.models import Child

EMPTY = [("", _("все"))]


class EventFilterForm(forms.Form):
    when = forms.ChoiceField(label=_("Когда"), required=False,
                             choices=[("upcoming", _("предстоящие")), ("past", _("прошедшие"))])
    level = forms.ChoiceField(label=_("Уровень"), required=False, choices=EMPTY + list(EventLevel.choices))
    direction = forms.ModelChoiceField(label=_("Направленность"), required=False, queryset=Direction.objects.all(),
                                       empty_label=_("все"))
    audience = forms.ChoiceField(label=_("Для кого"), required=False, choices=EMPTY + list(Event.Audience.choices))
    date_from = forms.DateField(label=_("С даты"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("По дату"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        direction = data.get("direction")
        return {"when": data.get("when") or "upcoming", "level": data.get("level") or "",
                "direction": direction.pk if direction else None, "audience": data.get("audience") or "",
                "date_from": data.get("date_from"), "date_to": data.get("date_to")}


class RegistrationForm(forms.Form):
    child = forms.ModelChoiceField(label=_("Ребёнок"), queryset=Child.objects.none(), empty_label=None)
    publish_name = forms.BooleanField(
        label=_("Согласен(на) на публикацию имени и фамилии ребёнка в результатах мероприятия"), required=False)

    def __init__(self, *args: Any, children: QuerySet[Child], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["title", "kind", "level", "direction", "start_date", "end_date", "schedule_note", "organizer",
                  "co_organizers", "external_organizer", "place", "audience", "format", "participants_count",
                  "participants_count_is_lower_bound", "is_public", "registration_open", "description",
                  "programmes", "partnership"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, organizations: QuerySet[Organization], programmes: QuerySet,
                 partnerships: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizations
        self.fields["organizer"].required = True
        if organizations.count() == 1:
            self.fields["organizer"].initial = organizations.first()
        self.fields["co_organizers"].queryset = Organization.objects.filter(is_active=True)
        self.fields["co_organizers"].required = False
        self.fields["programmes"].queryset = programmes
        self.fields["partnership"].queryset = partnerships


class ParticipantResultForm(forms.Form):
    """One participant (a child, a teacher or a team) with an optional result, in one step."""

    child = forms.ModelChoiceField(label=_("Ребёнок"), queryset=Child.objects.none(), required=False)
    teacher = forms.ModelChoiceField(label=_("Педагог-участник"), queryset=Teacher.objects.none(), required=False)
    team_name = forms.CharField(label=_("или команда"), max_length=300, required=False)
    organization = forms.ModelChoiceField(label=_("Организация участника"), queryset=Organization.objects.none(),
                                          empty_label=None)
    mentor = forms.ModelChoiceField(label=_("Наставник"), queryset=Teacher.objects.none(), required=False)
    result = forms.ChoiceField(label=_("Результат"), required=False,
                               choices=[("", _("— пока без результата —"))] + list(EventResult.Result.choices))
    nomination = forms.CharField(label=_("Номинация"), max_length=300, required=False)

    def __init__(self, *args: Any, children: QuerySet[Child], teachers: QuerySet[Teacher],
                 organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        self.fields["teacher"].queryset = teachers
        self.fields["mentor"].queryset = teachers
        self.fields["organization"].queryset = organizations

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("child") or data.get("teacher") or data.get("team_name")):
            raise forms.ValidationError(_("Укажите ребёнка, педагога или название команды."))
        return data


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("Результат"), choices=EventResult.Result.choices,
                               widget=forms.Select(attrs={"aria-label": _("Результат")}))
    nomination = forms.CharField(label=_("Номинация"), max_length=300, required=False)
