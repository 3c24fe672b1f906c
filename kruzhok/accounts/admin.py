"""Back office of user accounts (e-mail login) and their role grants: superusers only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.admin_scoping import ReadOnlyInlineMixin, ScopedAdmin, ScopedTabularInline
from kruzhok.accounts.models import ApiToken, RoleGrant, User


class UserAddForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)
        field_classes: dict = {}

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()


class RoleGrantInline(ScopedTabularInline):
    model = RoleGrant
    fields = ("role", "organization", "municipality", "region")
    autocomplete_fields = ("organization", "municipality", "region")


class ApiTokenInline(ReadOnlyInlineMixin, ScopedTabularInline):
    model = ApiToken
    fields = ("name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    show_change_link = True


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    list_display = ("email", "last_name", "first_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "grants__role", "preferred_language")
    search_fields = ("email", "last_name", "first_name")
    ordering = ("email",)
    inlines = (RoleGrantInline, ApiTokenInline)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Личные данные"), {"fields": ("last_name", "first_name", "patronymic", "preferred_language")}),
        (_("Права"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Даты"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )


@admin.register(RoleGrant)
class RoleGrantAdmin(ScopedAdmin):
    list_display = ("user", "role", "organization", "municipality", "region")
    list_filter = ("role",)
    search_fields = ("user__email", "user__last_name", "organization__short_name", "municipality__name",
                     "region__name")
    list_select_related = ("user", "organization", "municipality", "region")
    autocomplete_fields = ("user", "organization", "municipality", "region")


@admin.action(description=_("Отозвать токены"), permissions=["change"])
def revoke_tokens(modeladmin, request, queryset) -> None:
    from kruzhok.accounts.api_auth import api_token_revoke

    revoked = 0
    for token in queryset.filter(revoked_at__isnull=True):
        api_token_revoke(token=token, actor=request.user)
        revoked += 1
    modeladmin.message_user(request, _("Отозвано токенов: %(n)d.") % {"n": revoked}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    """Tokens are issued by ``accounts.api_auth`` (the token is shown once) and revoked, never edited."""

    list_display = ("name", "user", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = ("user", "name", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    actions = (revoke_tokens,)

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # The changelist's revoke action needs "change" on the model; a token row itself is never edited.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
