"""Back office of events, participants and results, partnerships and the bank of best practices."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.admin_scoping import InScope, ScopedAdmin, ScopedTabularInline
from kruzhok.events.forms import BestPracticeForm
from kruzhok.events.models import (
    BestPractice,
    BestPracticeFile,
    Event,
    EventDate,
    EventParticipant,
    EventRegistration,
    EventResult,
    Partnership,
)
from kruzhok.events.services import (
    event_envelope_sync,
    event_is_deletable,
    practice_file_delete,
    practice_files_add,
)

TIMESTAMPS = ("created_at", "updated_at")
PARTICIPANT_RELATED = ("child", "teacher", "organization", "mentor")


class EventParticipantInline(ScopedTabularInline):
    model = EventParticipant
    fields = ("child", "teacher", "team_name", "organization", "mentor")
    autocomplete_fields = PARTICIPANT_RELATED
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*PARTICIPANT_RELATED)


class EventDateInline(ScopedTabularInline):
    model = EventDate
    fields = ("date", "start_time", "end_time", "place")


@admin.register(Event)
class EventAdmin(ScopedAdmin):
    list_display = ("title", "kind", "level", "start_date", "end_date", "municipality", "organizer", "audience",
                    "format", "participants", "status", "is_public")
    list_filter = ("status", "kind", "level", "audience", "format", "is_public", "registration_open",
                   ("direction", InScope), ("municipality", InScope), ("organizer", InScope))
    search_fields = ("title", "organizer__short_name")
    list_select_related = ("municipality", "organizer")
    autocomplete_fields = ("municipality", "organizer", "partnership")
    filter_horizontal = ("co_organizers", "programmes")
    directory_fields = ("co_organizers", "programmes")
    date_hierarchy = "start_date"
    readonly_fields = TIMESTAMPS
    inlines = (EventDateInline, EventParticipantInline)
    fieldsets = (
        (None, {"fields": ("title", "kind", "level", "direction", "status", "description")}),
        (_("Когда и где"), {"fields": ("start_date", "end_date", "schedule_note", "municipality", "place",
                                       "format")}),
        (_("Организаторы"), {"fields": ("organizer", "co_organizers", "partnership", "programmes")}),
        (_("Участники"), {"fields": ("audience", "participants_count", "participants_count_is_lower_bound",
                                     "registration_open", "is_public")}),
        (_("Служебное"), {"fields": TIMESTAMPS}),
    )

    @admin.display(description=_("участников"), ordering="participants_count")
    def participants(self, obj: Event) -> str:
        return obj.participants_display

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        event_envelope_sync(actor=request.user, event=form.instance)  # start and end follow the schedule

    def has_delete_permission(self, request, obj=None) -> bool:
        """An event with participants, results or registrations is cancelled, never deleted."""
        if obj is not None and not event_is_deletable(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # the bulk delete would bypass the guard
        return actions


@admin.register(EventDate)
class EventDateAdmin(ScopedAdmin):
    """The dates of events held by a schedule (usually edited inside their event)."""

    list_display = ("event", "date", "start_time", "end_time", "place")
    list_filter = (("event__organizer", InScope),)
    search_fields = ("event__title", "place")
    list_select_related = ("event",)
    autocomplete_fields = ("event",)
    date_hierarchy = "date"

    def save_model(self, request, obj: EventDate, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        event_envelope_sync(actor=request.user, event=obj.event)

    def delete_model(self, request, obj: EventDate) -> None:
        super().delete_model(request, obj)
        event_envelope_sync(actor=request.user, event=obj.event)


class EventResultInline(ScopedTabularInline):
    model = EventResult
    fields = ("result", "nomination")


@admin.register(EventParticipant)
class EventParticipantAdmin(ScopedAdmin):
    list_display = ("__str__", "event", "organization", "mentor")
    list_filter = ("event__level", "event__kind", ("organization", InScope))
    search_fields = ("child__surname", "child__name", "teacher__surname", "team_name", "event__title")
    list_select_related = ("event", *PARTICIPANT_RELATED)
    autocomplete_fields = ("event", *PARTICIPANT_RELATED, "team_members")
    inlines = (EventResultInline,)


@admin.register(EventResult)
class EventResultAdmin(ScopedAdmin):
    list_display = ("participant", "event", "result", "nomination", "organization")
    list_filter = ("result", "participant__event__level", ("participant__organization", InScope))
    search_fields = ("participant__child__surname", "participant__team_name", "participant__event__title",
                     "nomination")
    list_select_related = ("participant__event", "participant__child", "participant__teacher",
                           "participant__organization")
    autocomplete_fields = ("participant",)

    @admin.display(description=_("мероприятие"), ordering="participant__event__title")
    def event(self, obj: EventResult):
        return obj.participant.event

    @admin.display(description=_("организация"), ordering="participant__organization__short_name")
    def organization(self, obj: EventResult):
        return obj.participant.organization


@admin.register(Partnership)
class PartnershipAdmin(ScopedAdmin):
    list_display = ("title", "kind", "organization", "partner_name", "start_date", "end_date", "children_covered")
    list_filter = ("kind", ("organization__municipality", InScope), ("organization", InScope))
    search_fields = ("title", "partner_name", "organization__short_name")
    list_select_related = ("organization",)
    autocomplete_fields = ("organization", "programmes")
    filter_horizontal = ("partners",)
    directory_fields = ("partners",)
    date_hierarchy = "start_date"
    readonly_fields = TIMESTAMPS


def _download(obj: BestPracticeFile) -> str:
    """A link through the site's download (media files are not served directly: the practice's visibility
    decides who gets the file)."""
    if not obj.pk:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse("events:practice_file", args=[obj.practice_id, obj.pk]),
                       obj.filename)


class BestPracticeFileInline(ScopedTabularInline):
    """The practice's files: titles edited, files deleted here; new ones come through «Добавить файлы»."""

    model = BestPracticeFile
    fields = ("download", "title", "size_display", "uploaded_at")
    readonly_fields = ("download", "size_display", "uploaded_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("файл"))
    def download(self, obj: BestPracticeFile) -> str:
        return _download(obj)

    @admin.display(description=_("размер"))
    def size_display(self, obj: BestPracticeFile) -> str:
        return filesizeformat(obj.size) if obj.pk else "—"


@admin.register(BestPractice)
class BestPracticeAdmin(ScopedAdmin):
    form = BestPracticeForm
    inlines = (BestPracticeFileInline,)
    list_display = ("title", "organization", "direction", "status", "adopted")
    list_filter = ("status", ("direction", InScope), ("organization__municipality", InScope))
    search_fields = ("title", "description", "organization__short_name")
    list_select_related = ("organization", "direction")
    autocomplete_fields = ("organization",)
    filter_horizontal = ("adopted_by",)
    directory_fields = ("adopted_by",)
    readonly_fields = TIMESTAMPS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(adopted_count=Count("adopted_by", distinct=True))

    def save_formset(self, request, form, formset, change: bool) -> None:
        if formset.model is not BestPracticeFile:
            return super().save_formset(request, form, formset, change)
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:  # the stored file goes with its row
            practice_file_delete(actor=request.user, practice_file=row)
        for row in rows:
            row.save()
        return None

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        uploads = form.cleaned_data.get("new_files") or []
        if uploads:
            practice_files_add(actor=request.user, practice=form.instance, files=uploads)

    @admin.display(description=_("внедрили, организаций"), ordering="adopted_count")
    def adopted(self, obj: BestPractice) -> int:
        return obj.adopted_count


@admin.register(BestPracticeFile)
class BestPracticeFileAdmin(ScopedAdmin):
    """The files of the practices (usually added on their practice's page, several at once)."""

    list_display = ("__str__", "practice", "download", "size_display", "uploaded_at")
    list_filter = (("practice__organization", InScope),)
    search_fields = ("title", "file", "practice__title")
    list_select_related = ("practice",)
    autocomplete_fields = ("practice",)
    readonly_fields = ("download", "size_display", "uploaded_at")

    @admin.display(description=_("Скачать"))
    def download(self, obj: BestPracticeFile) -> str:
        return _download(obj)

    def delete_model(self, request, obj: BestPracticeFile) -> None:
        practice_file_delete(actor=request.user, practice_file=obj)

    @admin.display(description=_("размер"), ordering="size")
    def size_display(self, obj: BestPracticeFile) -> str:
        return filesizeformat(obj.size) if obj.pk else "—"


@admin.register(EventRegistration)
class EventRegistrationAdmin(ScopedAdmin):
    list_display = ("child", "event", "created_at", "registered_by")
    list_filter = (("event__organizer", InScope),)
    search_fields = ("child__surname", "child__name", "event__title")
    list_select_related = ("child", "event", "registered_by")
    autocomplete_fields = ("event", "child")
    readonly_fields = ("registered_by", *TIMESTAMPS)
