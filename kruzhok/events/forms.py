"""Forms of the public list of events, of a parent's registration and of the organization's event pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Direction, Organization, Teacher
from kruzhok.events.files import practice_file_problem
from kruzhok.events.models import PRACTICE_FILE_EXTENSIONS, BestPractice, Event, EventLevel, EventResult
from kruzhok.events.schedule import Session, sessions_parse, sessions_text
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

    dates = forms.CharField(
        label=_("Даты по графику"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Для мероприятия из нескольких дат: по одной дате в строке, можно со временем и местом — "
                    "«02.02.2024», «07.02.2024 15:00–17:00 ЦДТ, актовый зал». Даты начала и окончания тогда "
                    "берутся из графика. Для мероприятия в один день или на период оставьте пустым."))
    field_order = ["title", "kind", "level", "direction", "start_date", "end_date", "dates", "schedule_note"]

    def __init__(self, *args: Any, organizations: QuerySet[Organization], programmes: QuerySet,
                 partnerships: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start_date"].required = False
        self.fields["start_date"].help_text = _("Для мероприятия по графику можно не заполнять.")
        self.fields["schedule_note"].label = _("Комментарий к графику")
        if self.instance.pk and not self.is_bound:
            self.initial["dates"] = sessions_text(
                Session(date=d.date, start_time=d.start_time, end_time=d.end_time, place=d.place)
                for d in self.instance.dates.all())
        self.fields["organizer"].queryset = organizations
        self.fields["organizer"].required = True
        if organizations.count() == 1:
            self.fields["organizer"].initial = organizations.first()
        self.fields["co_organizers"].queryset = Organization.objects.filter(is_active=True)
        self.fields["co_organizers"].required = False
        self.fields["programmes"].queryset = programmes
        self.fields["partnership"].queryset = partnerships

    def clean_dates(self) -> list[Session]:
        return sessions_parse(self.cleaned_data.get("dates") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        sessions = data.get("dates") or []
        if sessions:
            data["start_date"], data["end_date"] = sessions[0].date, max(s.date for s in sessions)
        elif not data.get("start_date") and "start_date" not in self.errors and "dates" not in self.errors:
            self.add_error("start_date", _("Укажите дату начала или даты по графику."))
        return data


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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PracticeFilesField(forms.FileField):
    """Several files at once, each checked for its type and size; the errors name every bad file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        accept = ",".join(f".{extension}" for extension in PRACTICE_FILE_EXTENSIONS)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        cleaned = [super(PracticeFilesField, self).clean(upload, initial) for upload in uploads]
        problems = [problem for problem in map(practice_file_problem, cleaned) if problem]
        if problems:
            raise forms.ValidationError(problems)
        return cleaned


class BestPracticeForm(forms.ModelForm):
    """The practice with an upload of several files at once (the admin's practice page)."""

    new_files = PracticeFilesField(
        label=_("Добавить файлы"),
        help_text=_("Можно выбрать несколько файлов сразу: документы, презентации, таблицы, изображения, архивы "
                    "ZIP; каждый не больше 20 МБ."))

    class Meta:
        model = BestPractice
        fields = "__all__"
