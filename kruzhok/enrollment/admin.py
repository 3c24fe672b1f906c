"""Back office of applications and enrollments.

A status never changes by editing a field: applications are submitted, moved along the workflow and
enrolled, and enrollments created and ended, only through ``enrollment.services`` (here: on add and by
admin actions), which keep the history, the seat count and the audit log.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kruzhok.accounts.admin_scoping import InScope, ReadOnlyInlineMixin, ScopedAdmin, ScopedTabularInline
from kruzhok.accounts.scoping import scope_queryset
from kruzhok.core.errors import DomainError
from kruzhok.enrollment import services
from kruzhok.enrollment.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Enrollment,
    EnrollmentStatus,
    LotteryDraw,
    RejectReason,
)

TIMESTAMPS = ("created_at", "updated_at")


@admin.register(RejectReason)
class RejectReasonAdmin(ScopedAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "name_kk", "name_en", "code")


def _for_each_writable(modeladmin, request, queryset, apply: Callable) -> None:
    """Run ``apply`` on each selected row the user may change; report successes, refusals and skips."""
    writable = scope_queryset(request.user, queryset, write=True)
    done, skipped, refusals = 0, 0, []
    selected = list(queryset.values_list("pk", flat=True))
    for obj in writable:
        try:
            apply(obj)
        except DomainError as error:
            refusals.append(f"{obj}: {' '.join(str(m) for m in error.messages)}")
        else:
            done += 1
    skipped = len(selected) - done - len(refusals)
    if done:
        modeladmin.message_user(request, ngettext("Готово: %(n)d запись.", "Готово: %(n)d записей.", done)
                                % {"n": done}, messages.SUCCESS)
    if skipped:
        modeladmin.message_user(request, ngettext(
            "Пропущена %(n)d запись: у вас нет права её менять.",
            "Пропущено %(n)d записей: у вас нет права их менять.", skipped) % {"n": skipped}, messages.WARNING)
    for refusal in refusals:
        modeladmin.message_user(request, refusal, messages.ERROR)


def _transition(to_status: str, description) -> Callable:
    def action(modeladmin, request, queryset) -> None:
        _for_each_writable(modeladmin, request, queryset, lambda application: services.application_transition(
            application=application, to_status=to_status, actor=request.user))

    action.__name__ = f"mark_{to_status}"
    return admin.action(description=description, permissions=["change"])(action)


@admin.action(description=_("Зачислить с сегодняшнего дня"), permissions=["change"])
def enroll_today(modeladmin, request, queryset) -> None:
    _for_each_writable(modeladmin, request, queryset.select_related("child", "group"),
                       lambda application: services.application_enroll(
                           application=application, start_date=timezone.localdate(), actor=request.user))


class StatusHistoryInline(ReadOnlyInlineMixin, ScopedTabularInline):
    model = ApplicationStatusChange
    fields = ("at", "from_status", "to_status", "actor", "note", "notified_at")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    list_display = ("child", "group", "organization", "status", "channel", "submitted_at", "answer_due_at",
                    "decided_at")
    list_filter = ("status", "channel", "group__programme__organization__org_type",
                   ("group__programme__organization__municipality", InScope),
                   ("group__programme__organization", InScope), ("group__programme__direction", InScope),
                   ("reject_reason", InScope))
    search_fields = ("child__surname", "child__name", "group__name", "group__programme__title",
                     "group__programme__organization__short_name")
    list_select_related = ("child", "group__programme__organization")
    autocomplete_fields = ("child", "group")
    date_hierarchy = "submitted_at"
    readonly_fields = ("status", "status_changed_at", "decided_at", "reject_reason", "lottery_rank", "submitted_at",
                       "submitted_by", *TIMESTAMPS)
    inlines = (StatusHistoryInline,)
    actions = (
        _transition(ApplicationStatus.UNDER_REVIEW, _("Взять на рассмотрение")),
        _transition(ApplicationStatus.INVITED, _("Пригласить")),
        _transition(ApplicationStatus.WAITLISTED, _("Поставить в очередь")),
        _transition(ApplicationStatus.EXPIRED, _("Отметить как истёкшие")),
        enroll_today,
    )
    fieldsets = (
        (None, {"fields": ("child", "group", "channel", "comment", "answer_due_at")}),
        (_("Статус"), {"fields": ("status", "status_changed_at", "decided_at", "reject_reason", "lottery_rank")}),
        (_("Служебное"), {"fields": ("submitted_at", "submitted_by", *TIMESTAMPS)}),
    )

    @admin.display(description=_("организация"), ordering="group__programme__organization__short_name")
    def organization(self, obj: Application):
        return obj.group.programme.organization

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Who applied, where and how is fixed once submitted.
        return (*fields, "child", "group", "channel") if obj is not None else fields

    def save_model(self, request, obj: Application, form, change: bool) -> None:
        if change:
            _save_changed(obj, form)
            return
        created = services.application_submit(child=obj.child, group=obj.group, channel=obj.channel,
                                              actor=request.user)
        # What the service does not take: a comment, and a deadline set by hand over the computed one.
        typed = {name: getattr(obj, name) for name in ("comment", "answer_due_at") if getattr(obj, name)}
        if typed:
            for name, value in typed.items():
                setattr(created, name, value)
            created.save(update_fields=[*typed, "updated_at"])
        _become(obj, created)


@admin.register(LotteryDraw)
class LotteryDrawAdmin(ScopedAdmin):
    """Draws are made by ``services.lottery_draw``; here they are only read (the seed lets anyone re-check)."""

    list_display = ("group", "drawn_at", "window_start", "window_end", "entries", "actor")
    list_filter = (("group__programme__organization", InScope),)
    search_fields = ("group__name", "group__programme__title", "seed")
    list_select_related = ("group__programme", "actor")
    date_hierarchy = "drawn_at"
    readonly_fields = ("group", "seed", "window_start", "window_end", "drawn_at", "order", "actor")

    @admin.display(description=_("заявок"))
    def entries(self, obj: LotteryDraw) -> int:
        return len(obj.order)

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.action(description=_("Отметить окончание обучения сегодняшним днём"), permissions=["change"])
def complete_today(modeladmin, request, queryset) -> None:
    _for_each_writable(modeladmin, request, queryset, lambda enrollment: services.enrollment_end(
        enrollment=enrollment, status=EnrollmentStatus.COMPLETED, end_date=timezone.localdate(), reason="",
        actor=request.user))


@admin.register(Enrollment)
class EnrollmentAdmin(ScopedAdmin):
    list_display = ("child", "group", "organization", "status", "start_date", "end_date", "order_number",
                    "funding_source")
    list_filter = ("status", "funding_source", "group__programme__organization__org_type",
                   ("group__programme__organization__municipality", InScope),
                   ("group__programme__organization", InScope), ("group__programme__direction", InScope),
                   "child__settlement__is_rural")
    search_fields = ("child__surname", "child__name", "order_number", "group__name", "group__programme__title")
    list_select_related = ("child", "group__programme__organization")
    autocomplete_fields = ("child", "group")
    date_hierarchy = "start_date"
    readonly_fields = ("status", "end_date", "end_reason", "application", "previous", *TIMESTAMPS)
    actions = (complete_today,)
    fieldsets = (
        (None, {"fields": ("child", "group", "start_date", "order_number", "funding_source")}),
        (_("Окончание"), {"fields": ("status", "end_date", "end_reason")}),
        (_("Служебное"), {"fields": ("application", "previous", *TIMESTAMPS)}),
    )

    @admin.display(description=_("организация"), ordering="group__programme__organization__short_name")
    def organization(self, obj: Enrollment):
        return obj.group.programme.organization

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Moving a pupil to another group is a transfer (a new enrollment), not an edit.
        return (*fields, "child", "group") if obj is not None else fields

    def save_model(self, request, obj: Enrollment, form, change: bool) -> None:
        if change:
            _save_changed(obj, form)
            return
        _become(obj, services.enrollment_create(
            child=obj.child, group=obj.group, start_date=obj.start_date, actor=request.user,
            order_number=obj.order_number, funding_source=obj.funding_source))


def _save_changed(obj, form) -> None:
    """Write only the fields the form changed: a status moved meanwhile by a service is not overwritten."""
    if form.changed_data:
        obj.save(update_fields=[*form.changed_data, "updated_at"])


def _become(obj, created) -> None:
    """Make the admin's unsaved ``obj`` stand for the row a service created (the admin goes on with ``obj``)."""
    obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
    obj._state.adding = False
    obj._state.db = created._state.db
