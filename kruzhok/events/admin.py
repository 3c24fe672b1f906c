"""Back office of events, participants and results, partnerships and the bank of best practices."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.admin_scoping import InScope, ScopedAdmin, ScopedTabularInline
from kruzhok.events.models import (
    BestPractice,
    Event,
    EventParticipant,
    EventRegistration,
    EventResult,
    Partnership,
)
from kruzhok.events.services import event_is_deletable

TIMESTAMPS = ("created_at", "updated_at")
PARTICIPANT_RELATED = ("child", "teacher", "organization", "mentor")


class EventParticipantInline(ScopedTabularInline):
    model = EventParticipant
    fields = ("child", "teacher", "team_name", "organization", "mentor")
    autocomplete_fields = PARTICIPANT_RELATED
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*PARTICIPANT_RELATED)


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
    inlines = (EventParticipantInline,)
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

    def has_delete_permission(self, request, obj=None) -> bool:
        """An event with participants, results or registrations is cancelled, never deleted."""
        if obj is not None and not event_is_deletable(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # the bulk delete would bypass the guard
        return actions


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


@admin.register(BestPractice)
class BestPracticeAdmin(ScopedAdmin):
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

    @admin.display(description=_("внедрили, организаций"), ordering="adopted_count")
    def adopted(self, obj: BestPractice) -> int:
        return obj.adopted_count


@admin.register(EventRegistration)
class EventRegistrationAdmin(ScopedAdmin):
    list_display = ("child", "event", "created_at", "registered_by")
    list_filter = (("event__organizer", InScope),)
    search_fields = ("child__surname", "child__name", "event__title")
    list_select_related = ("child", "event", "registered_by")
    autocomplete_fields = ("event", "child")
    readonly_fields = ("registered_by", *TIMESTAMPS)
