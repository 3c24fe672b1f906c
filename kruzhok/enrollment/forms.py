"""Forms of the organization's inbox: filters, bulk and single decisions, enrollment, expulsion, transfer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Group, Programme
from kruzhok.enrollment.models import (
    OPEN_STATUSES,
    Application,
    ApplicationStatus,
    EnrollmentStatus,
    FundingSource,
    RejectReason,
)

S = ApplicationStatus

# What a bulk or row action does: the status it moves the applications to.
ACTIONS = {
    "review": S.UNDER_REVIEW,
    "invite": S.INVITED,
    "waitlist": S.WAITLISTED,
    "reject": S.REJECTED,
}
ACTION_CHOICES = [
    ("invite", _("Пригласить")),
    ("waitlist", _("Поставить в очередь")),
    ("review", _("Взять на рассмотрение")),
    ("reject", _("Отклонить")),
]
# The programme's funding suggests the enrollment's funding source.
FUNDING_BY_PROGRAMME = {
    Programme.Funding.FREE: FundingSource.BUDGET,
    Programme.Funding.PAID: FundingSource.PAID,
    Programme.Funding.CERTIFICATE: FundingSource.CERTIFICATE,
    Programme.Funding.STATE_ORDER: FundingSource.STATE_ORDER,
}


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return f"{obj.programme.title} — {obj.name}"


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Статус"), required=False,
                               choices=[("", _("все открытые"))] + [(s.value, s.label) for s in S])
    group = GroupChoiceField(label=_("Группа"), required=False, queryset=Group.objects.none(),
                             empty_label=_("все группы"))

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class ReasonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RejectReason) -> str:
        return obj.localized_name()


class BulkActionForm(forms.Form):
    """Selected applications (only those the user may decide on are valid choices) and what to do with them."""

    ids = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(), widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Отметьте хотя бы одну заявку."),
                        "invalid_choice": _("Заявка не найдена или уже закрыта."),
                        "invalid_pk_value": _("Заявка не найдена или уже закрыта.")})
    action = forms.ChoiceField(label=_("Действие"), choices=ACTION_CHOICES)
    reason = ReasonChoiceField(label=_("Причина отказа"), required=False, queryset=RejectReason.objects.none(),
                               empty_label=_("— причина отказа —"))
    note = forms.CharField(label=_("Комментарий"), required=False, max_length=500)

    def __init__(self, *args: Any, applications: QuerySet[Application], reasons: QuerySet[RejectReason],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ids"].queryset = applications.filter(status__in=OPEN_STATUSES)
        self.fields["reason"].queryset = reasons

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "reject" and not data.get("reason"):
            self.add_error("reason", _("Укажите причину отказа."))
        return data


class EnrollForm(forms.Form):
    """Accept an application and enroll the child."""

    order_number = forms.CharField(label=_("Номер приказа"), max_length=64)
    start_date = forms.DateField(label=_("Дата зачисления"), widget=forms.DateInput(attrs={"type": "date"}))
    funding_source = forms.ChoiceField(label=_("Источник финансирования"), choices=FundingSource.choices)

    @classmethod
    def for_group(cls, group: Group, *args: Any, **kwargs: Any) -> EnrollForm:
        kwargs.setdefault("initial", {
            "start_date": max(timezone.localdate(), group.period_start).isoformat(),
            "funding_source": FUNDING_BY_PROGRAMME.get(group.programme.funding, FundingSource.BUDGET)})
        return cls(*args, **kwargs)


class EndEnrollmentForm(forms.Form):
    """Expel (or finish) a child's enrollment: the seat frees and goes to the next child in the queue."""

    status = forms.ChoiceField(label=_("Как закончилось обучение"), initial=EnrollmentStatus.EXPELLED,
                               choices=[(EnrollmentStatus.EXPELLED.value, EnrollmentStatus.EXPELLED.label),
                                        (EnrollmentStatus.COMPLETED.value, EnrollmentStatus.COMPLETED.label)])
    end_date = forms.DateField(label=_("Дата"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Причина"), max_length=300)


class TransferForm(forms.Form):
    to_group = GroupChoiceField(label=_("В группу"), queryset=Group.objects.none())
    on = forms.DateField(label=_("Дата перевода"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Причина"), max_length=300)
    order_number = forms.CharField(label=_("Номер приказа"), max_length=64, required=False)

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_group"].queryset = groups
