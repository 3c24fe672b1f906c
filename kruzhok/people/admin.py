"""Back office of children, their guardians, categories and personal-data consents.

National identifiers (СНИЛС, ИИН) are shown, searched and edited only by superusers and territory admins;
an organization's admin and a teacher do not see them at all. Phones appear in change forms, never in lists.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.admin_scoping import (
    InScope,
    ScopedAdmin,
    ScopedTabularInline,
    administers_territory,
    sees_personal_ids,
)
from kruzhok.catalog.models import Organization
from kruzhok.dedup.forms import ChildAddCheckForm, flag_hidden_matches
from kruzhok.people.models import Child, ChildCategory, Consent, Guardian, GuardianLink

PERSONAL_ID_FIELDS = ("national_id_kind", "national_id")
TIMESTAMPS = ("created_at", "updated_at")


class ChildCategoryInline(ScopedTabularInline):
    model = ChildCategory
    fields = ("kind", "valid_from", "valid_to", "document")


class GuardianLinkInline(ScopedTabularInline):
    model = GuardianLink
    fields = ("guardian", "relation")
    autocomplete_fields = ("guardian",)


class ConsentInline(ScopedTabularInline):
    model = Consent
    fields = ("scope", "guardian", "text_version", "given_at", "withdrawn_at", "recorded_by")
    readonly_fields = ("recorded_by",)
    autocomplete_fields = ("guardian",)


class RecordsWhoRecordsConsent:
    """A consent added in the admin is recorded as given in the presence of the signed-in user."""

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if isinstance(obj, Consent) and obj.pk is None:
                obj.recorded_by = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Child)
class ChildAdmin(RecordsWhoRecordsConsent, ScopedAdmin):
    list_display = ("__str__", "birth_date", "sex", "municipality", "settlement", "is_rural", "school_display",
                    "grade")
    list_filter = ("sex", ("municipality", InScope), "settlement__is_rural", "categories__kind",
                   ("merged_into", admin.EmptyFieldListFilter))
    search_fields = ("surname", "name", "patronymic", "certificate_number")
    list_select_related = ("municipality", "settlement", "school")
    autocomplete_fields = ("municipality", "settlement")
    directory_fields = ("school",)
    readonly_fields = ("merged_into", *TIMESTAMPS)
    inlines = (ChildCategoryInline, GuardianLinkInline, ConsentInline)
    form = ChildAddCheckForm  # warns «такой ребёнок, возможно, уже есть» before a duplicate is created
    fieldsets = (
        (None, {"fields": ("surname", "name", "patronymic", "sex", "birth_date", *PERSONAL_ID_FIELDS)}),
        (_("Проживание и школа"), {"fields": ("municipality", "settlement", "school", "school_name", "grade")}),
        (_("Контакты и сертификат"), {"fields": ("phone", "certificate_number")}),
        (_("Служебное"), {"fields": ("registered_by", "merged_into", *TIMESTAMPS)}),
    )

    @admin.display(boolean=True, description=_("село"), ordering="settlement__is_rural")
    def is_rural(self, obj: Child) -> bool | None:
        return obj.settlement.is_rural if obj.settlement_id else None

    @admin.display(description=_("школа"), ordering="school__short_name")
    def school_display(self, obj: Child) -> str:
        return str(obj.school) if obj.school_id else obj.school_name

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:  # the quick duplicate check's «it is another child» (kruzhok.dedup.forms)
            fieldsets.append((_("Проверка на дубликат"), {"fields": ("confirm_new_child",)}))
        if sees_personal_ids(request.user):
            return fieldsets
        return [(title, {**options, "fields": tuple(f for f in options["fields"] if f not in PERSONAL_ID_FIELDS)})
                for title, options in fieldsets]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.dedup_user = request.user
        return form

    def get_exclude(self, request, obj=None):
        exclude = tuple(super().get_exclude(request, obj) or ())
        return exclude if sees_personal_ids(request.user) else (*exclude, *PERSONAL_ID_FIELDS)

    def get_search_fields(self, request):
        fields = tuple(super().get_search_fields(request))
        return (*fields, "=national_id") if sees_personal_ids(request.user) else fields

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # An organization's admin registers children for its own organization only.
        return fields if administers_territory(request.user) else (*fields, "registered_by")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "school":
            field.queryset = field.queryset.filter(
                org_type__in=[Organization.Type.SCHOOL, Organization.Type.KINDERGARTEN])
        return field

    def save_model(self, request, obj: Child, form, change: bool) -> None:
        organizations = self.scope(request).organization_ids
        if not change and obj.registered_by_id is None and len(organizations) == 1:
            obj.registered_by_id = next(iter(organizations))
        super().save_model(request, obj, form, change)
        if not change:
            flag_hidden_matches(child=obj, check=getattr(form, "dedup_check", None))

    def has_delete_permission(self, request, obj=None) -> bool:
        # A child's record is shared by every organization it attends: only its territory removes it.
        return administers_territory(request.user) and super().has_delete_permission(request, obj)


@admin.register(ChildCategory)
class ChildCategoryAdmin(ScopedAdmin):
    list_display = ("child", "kind", "valid_from", "valid_to", "document")
    list_filter = ("kind",)
    search_fields = ("child__surname", "child__name", "document")
    list_select_related = ("child",)
    autocomplete_fields = ("child",)
    date_hierarchy = "valid_from"


class GuardianLinkFromGuardianInline(ScopedTabularInline):
    model = GuardianLink
    fields = ("child", "relation")
    autocomplete_fields = ("child",)


@admin.register(Guardian)
class GuardianAdmin(ScopedAdmin):
    list_display = ("__str__", "email", "has_account")
    search_fields = ("surname", "name", "patronymic", "email", "=phone")
    autocomplete_fields = ("user",)
    superuser_fields = ("user",)
    readonly_fields = TIMESTAMPS
    inlines = (GuardianLinkFromGuardianInline,)
    fieldsets = (
        (None, {"fields": ("surname", "name", "patronymic", "user")}),
        (_("Контакты"), {"fields": ("phone", "email")}),
        (_("Служебное"), {"fields": TIMESTAMPS}),
    )

    @admin.display(boolean=True, description=_("есть учётная запись"), ordering="user")
    def has_account(self, obj: Guardian) -> bool:
        return obj.user_id is not None


@admin.register(GuardianLink)
class GuardianLinkAdmin(ScopedAdmin):
    list_display = ("guardian", "child", "relation")
    list_filter = ("relation",)
    search_fields = ("guardian__surname", "child__surname")
    list_select_related = ("guardian", "child")
    autocomplete_fields = ("guardian", "child")


@admin.register(Consent)
class ConsentAdmin(ScopedAdmin):
    list_display = ("child", "scope", "guardian", "text_version", "given_at", "withdrawn_at")
    list_filter = ("scope", ("withdrawn_at", admin.EmptyFieldListFilter), "text_version")
    search_fields = ("child__surname", "child__name", "guardian__surname")
    list_select_related = ("child", "guardian")
    autocomplete_fields = ("child", "guardian")
    readonly_fields = ("recorded_by",)
    date_hierarchy = "given_at"

    def save_model(self, request, obj: Consent, form, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
