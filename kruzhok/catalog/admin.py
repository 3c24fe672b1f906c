"""Back office of the catalog: organizations, venues, directions, programmes, groups and teachers."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.admin_scoping import InScope, ScopedAdmin, ScopedTabularInline, administers_territory
from kruzhok.catalog.models import (
    Course,
    Direction,
    Employment,
    Group,
    Organization,
    Programme,
    Publication,
    ScheduleSlot,
    Teacher,
    TeacherAward,
    Venue,
)
from kruzhok.enrollment.services import group_promote_waitlist

TIMESTAMPS = ("created_at", "updated_at")


def _ages(obj) -> str:
    return f"{obj.age_from}–{obj.age_to}"


@admin.register(Direction)
class DirectionAdmin(ScopedAdmin):
    list_display = ("name", "code", "country", "order", "is_profile")
    list_filter = ("country", "is_profile")
    search_fields = ("name", "name_kk", "name_en", "code")
    ordering = ("country", "order")


class VenueInline(ScopedTabularInline):
    model = Venue
    fields = ("name", "settlement", "address", "is_accessible")
    autocomplete_fields = ("settlement",)
    show_change_link = True


@admin.register(Organization)
class OrganizationAdmin(ScopedAdmin):
    list_display = ("short_name", "org_type", "subtype", "municipality", "tax_id", "ownership", "has_licence",
                    "is_active")
    list_filter = ("org_type", "subtype", "ownership", "is_active", ("municipality__region", InScope),
                   ("municipality", InScope))
    search_fields = ("short_name", "name", "tax_id")
    list_select_related = ("municipality",)
    autocomplete_fields = ("municipality",)
    readonly_fields = TIMESTAMPS
    inlines = (VenueInline,)
    fieldsets = (
        (None, {"fields": ("short_name", "name", "municipality", "org_type", "subtype", "ownership", "is_active")}),
        (_("Приём заявок"), {"fields": ("answer_deadline_days",)}),
        (_("Реквизиты"), {"fields": ("tax_id", "licence_number", "licence_date")}),
        (_("Контакты"), {"fields": ("address", "phone", "email", "website")}),
        (_("Служебное"), {"fields": TIMESTAMPS}),
    )

    @admin.display(boolean=True, description=_("лицензия"))
    def has_licence(self, obj: Organization) -> bool:
        return obj.has_licence

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # An organization's admin keeps its card but does not move it to another territory.
        return fields if administers_territory(request.user) else (*fields, "municipality")

    def has_add_permission(self, request, *args) -> bool:
        return administers_territory(request.user) and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None) -> bool:
        return administers_territory(request.user) and super().has_delete_permission(request, obj)


@admin.register(Venue)
class VenueAdmin(ScopedAdmin):
    list_display = ("name", "organization", "settlement", "is_rural", "address", "is_accessible")
    list_filter = ("is_accessible", "settlement__is_rural", ("organization__municipality", InScope),
                   ("organization", InScope))
    search_fields = ("name", "address", "organization__short_name")
    list_select_related = ("organization", "settlement")
    autocomplete_fields = ("organization", "settlement")

    @admin.display(boolean=True, description=_("село"), ordering="settlement__is_rural")
    def is_rural(self, obj: Venue) -> bool:
        return obj.settlement.is_rural


class GroupInline(ScopedTabularInline):
    model = Group
    fields = ("name", "capacity", "enrolled_count", "held_count", "age_from", "age_to", "period_start", "period_end",
              "is_active")
    readonly_fields = ("enrolled_count", "held_count")
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdmin):
    list_display = ("title", "organization", "direction", "level", "ages", "hours", "form", "funding", "status",
                    "is_network", "adapted_ovz")
    list_filter = ("status", ("direction", InScope), "level", "form", "funding", "is_network", "adapted_ovz",
                   "for_gifted", "for_difficult_situation", "is_summer_shift", "is_socially_significant",
                   "organization__org_type", ("organization__municipality", InScope))
    search_fields = ("title", "code", "organization__short_name", "organization__tax_id")
    list_select_related = ("organization", "direction")
    autocomplete_fields = ("organization",)
    filter_horizontal = ("network_partners",)
    directory_fields = ("network_partners",)
    readonly_fields = TIMESTAMPS
    inlines = (GroupInline,)
    fieldsets = (
        (None, {"fields": ("organization", "code", "title", "title_kk", "title_en", "description", "direction",
                           "level", "status")}),
        (_("Объём и возраст"), {"fields": ("age_from", "age_to", "hours", "duration_months", "form")}),
        (_("Особенности"), {"fields": ("is_network", "network_partners", "adapted_ovz", "for_gifted",
                                       "for_difficult_situation", "is_summer_shift", "is_socially_significant")}),
        (_("Финансирование"), {"fields": ("funding", "price", "certificate_hour_cost")}),
        (_("Служебное"), {"fields": TIMESTAMPS}),
    )

    @admin.display(description=_("возраст"), ordering="age_from")
    def ages(self, obj: Programme) -> str:
        return _ages(obj)


class ScheduleSlotInline(ScopedTabularInline):
    model = ScheduleSlot
    fields = ("weekday", "starts_at", "ends_at", "venue")
    autocomplete_fields = ("venue",)


@admin.register(Group)
class GroupAdmin(ScopedAdmin):
    list_display = ("name", "programme", "organization", "capacity", "enrolled_count", "held_count", "seats_left",
                    "ages", "period", "allocation", "is_active")
    list_filter = ("is_active", "allocation", "programme__organization__org_type",
                   ("programme__organization__municipality", InScope), ("programme__direction", InScope),
                   "programme__level", "programme__funding", "programme__adapted_ovz", "venue__settlement__is_rural")
    search_fields = ("name", "programme__title", "programme__organization__short_name")
    list_select_related = ("programme__organization",)
    autocomplete_fields = ("programme", "venue", "teachers")
    readonly_fields = ("enrolled_count", "held_count", "seats_left", *TIMESTAMPS)
    inlines = (ScheduleSlotInline,)
    fieldsets = (
        (None, {"fields": ("programme", "name", "teachers", "venue", "is_active")}),
        (_("Места и возраст"), {"fields": ("capacity", "enrolled_count", "held_count", "seats_left", "age_from",
                                           "age_to")}),
        (_("Сроки и приём"), {"fields": ("period_start", "period_end", "enrollment_opens_at", "enrollment_closes_at",
                                         "allocation", "lottery_window_ends_at")}),
        (_("Служебное"), {"fields": TIMESTAMPS}),
    )

    def save_model(self, request, obj: Group, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            # New seats go to the children already waiting, in queue order.
            group_promote_waitlist(group=obj, actor=request.user)

    @admin.display(description=_("организация"), ordering="programme__organization__short_name")
    def organization(self, obj: Group) -> Organization:
        return obj.programme.organization

    @admin.display(description=_("свободно"))
    def seats_left(self, obj: Group) -> int | None:
        return obj.seats_left if obj.capacity is not None else None

    @admin.display(description=_("возраст"), ordering="age_from")
    def ages(self, obj: Group) -> str:
        return _ages(obj)

    @admin.display(description=_("период"), ordering="period_start")
    def period(self, obj: Group) -> str:
        return f"{obj.period_start:%d.%m.%Y}–{obj.period_end:%d.%m.%Y}"


@admin.register(ScheduleSlot)
class ScheduleSlotAdmin(ScopedAdmin):
    list_display = ("group", "weekday", "starts_at", "ends_at", "venue")
    list_filter = ("weekday", ("group__programme__organization", InScope))
    search_fields = ("group__name", "group__programme__title")
    list_select_related = ("group__programme", "venue")
    autocomplete_fields = ("group", "venue")


class EmploymentInline(ScopedTabularInline):
    model = Employment
    fields = ("organization", "position", "is_main", "rate", "start_date", "end_date")
    autocomplete_fields = ("organization",)


class CourseInline(ScopedTabularInline):
    model = Course
    fields = ("title", "provider", "hours", "completed_on", "certificate_number")


class PublicationInline(ScopedTabularInline):
    model = Publication
    fields = ("title", "journal", "level", "year")


class TeacherAwardInline(ScopedTabularInline):
    model = TeacherAward
    fields = ("title", "level", "year")


@admin.register(Teacher)
class TeacherAdmin(ScopedAdmin):
    list_display = ("__str__", "education_level", "category", "is_external_specialist", "email")
    list_filter = ("education_level", "category", "is_external_specialist", ("employments__organization", InScope))
    search_fields = ("surname", "name", "patronymic", "email")
    autocomplete_fields = ("user",)
    superuser_fields = ("user",)
    readonly_fields = TIMESTAMPS
    inlines = (EmploymentInline, CourseInline, PublicationInline, TeacherAwardInline)
    fieldsets = (
        (None, {"fields": ("surname", "name", "patronymic", "user")}),
        (_("Квалификация"), {"fields": ("education_level", "category", "is_external_specialist")}),
        (_("Контакты"), {"fields": ("personal_id", "phone", "email")}),
        (_("Служебное"), {"fields": TIMESTAMPS}),
    )

    def attach_to_scope(self, request, obj: Teacher, change: bool) -> None:
        # A teacher added by an organization's admin without a workplace is employed by that organization.
        organizations = self.scope(request).organization_ids
        if not change and len(organizations) == 1 and not obj.employments.exists():
            Employment.objects.create(teacher=obj, organization_id=next(iter(organizations)),
                                      start_date=timezone.localdate())


@admin.register(Employment)
class EmploymentAdmin(ScopedAdmin):
    list_display = ("teacher", "organization", "position", "is_main", "rate", "start_date", "end_date")
    list_filter = ("is_main", ("organization", InScope))
    search_fields = ("teacher__surname", "teacher__name", "organization__short_name", "position")
    list_select_related = ("teacher", "organization")
    autocomplete_fields = ("teacher", "organization")


class _TeacherRecordAdmin(ScopedAdmin):
    search_fields = ("title", "teacher__surname", "teacher__name")
    list_select_related = ("teacher",)
    autocomplete_fields = ("teacher",)


@admin.register(Course)
class CourseAdmin(_TeacherRecordAdmin):
    list_display = ("title", "teacher", "provider", "hours", "completed_on", "certificate_number")
    search_fields = (*_TeacherRecordAdmin.search_fields, "provider")
    date_hierarchy = "completed_on"


@admin.register(Publication)
class PublicationAdmin(_TeacherRecordAdmin):
    list_display = ("title", "teacher", "journal", "level", "year")
    list_filter = ("level", "year")


@admin.register(TeacherAward)
class TeacherAwardAdmin(_TeacherRecordAdmin):
    list_display = ("title", "teacher", "level", "year")
    list_filter = ("level", "year")
