"""Forms of the parent's cabinet: registration, a child with the personal-data consent, an application."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Organization
from kruzhok.people.models import Child, GuardianLink
from kruzhok.people.services import CONSENT_TEXT_VERSION
from kruzhok.territory.models import Municipality, Settlement

TOKEN_PATTERN = r"^[0-9a-f]{32}$"


class GuardianNameForm(forms.Form):
    """The parent's own name and phone: what an organization uses to contact the family."""

    surname = forms.CharField(label=_("Фамилия"), max_length=100)
    name = forms.CharField(label=_("Имя"), max_length=100)
    patronymic = forms.CharField(label=_("Отчество"), max_length=100, required=False)
    phone = forms.CharField(label=_("Телефон"), max_length=32, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))


class RegisterForm(GuardianNameForm):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(label=_("Пароль"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Пароль ещё раз"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    field_order = ["email", "password1", "password2", "surname", "name", "patronymic", "phone"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError(_("Учётная запись с таким e-mail уже есть: войдите в неё."), code="email_taken")
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Пароли не совпадают."))
        elif first:
            candidate = get_user_model()(email=data.get("email", ""), first_name=data.get("name", ""),
                                         last_name=data.get("surname", ""))
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return f"{obj.region.localized_name()} — {obj.localized_name()}"


class ChildForm(forms.ModelForm):
    """A child added by its parent. The model's ``full_clean`` validates СНИЛС/ИИН and the settlement; the
    settlements and schools offered are those of the chosen municipality (chosen first, or with the form)."""

    relation = forms.ChoiceField(label=_("Кем вы приходитесь ребёнку"), choices=GuardianLink.Relation.choices)
    consent = forms.BooleanField(
        label=_("Я даю согласие на обработку персональных данных ребёнка"), required=True,
        error_messages={"required": _("Без согласия на обработку персональных данных ребёнка добавить нельзя.")},
    )
    consent_version = forms.CharField(widget=forms.HiddenInput, initial=CONSENT_TEXT_VERSION)

    class Meta:
        model = Child
        fields = ["surname", "name", "patronymic", "sex", "birth_date", "national_id_kind", "national_id",
                  "municipality", "settlement", "school", "school_name", "grade"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], settlements: QuerySet[Settlement],
                 schools: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = MunicipalityChoiceField(
            label=_("Муниципалитет проживания"), queryset=municipalities.select_related("region"))
        chosen = self.chosen_municipality()
        self.fields["settlement"].queryset = settlements.filter(municipality=chosen) if chosen else \
            settlements.none()
        self.fields["school"].queryset = schools.filter(municipality=chosen) if chosen else schools.none()
        self.fields["national_id"].help_text = _("Необязательно. СНИЛС — 11 цифр, ИИН — 12 цифр.")
        self.order_fields(["surname", "name", "patronymic", "sex", "birth_date", "relation", "municipality",
                           "settlement", "school", "school_name", "grade", "national_id_kind", "national_id",
                           "consent", "consent_version"])

    def chosen_municipality(self) -> int | None:
        raw = (self.data.get("municipality") if self.is_bound else None) or self.initial.get("municipality")
        try:
            return int(raw) if raw else None
        except (TypeError, ValueError):
            return None

    def clean_consent_version(self) -> str:
        version = self.cleaned_data["consent_version"]
        if version != CONSENT_TEXT_VERSION:
            raise ValidationError(_("Текст согласия изменился: прочитайте его ещё раз и подтвердите."),
                                  code="consent_version")
        return version

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("national_id") and not data.get("national_id_kind"):
            self.add_error("national_id_kind", _("Укажите вид идентификатора: СНИЛС или ИИН."))
        return data


class ApplyForm(forms.Form):
    """Which of my children applies. ``token`` is made when the form is rendered: a double click or a retried
    submit carries the same token, and the service answers it with the one application it created."""

    child = forms.ModelChoiceField(label=_("Ребёнок"), queryset=Child.objects.none(), widget=forms.RadioSelect,
                                   empty_label=None,
                                   error_messages={"invalid_choice": _("Выберите своего ребёнка из списка.")})
    token = forms.CharField(widget=forms.HiddenInput, validators=[RegexValidator(TOKEN_PATTERN)])

    def __init__(self, *args: Any, children: QuerySet[Child], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
