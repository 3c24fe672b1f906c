"""The audit log in the back office: read-only, for superusers (see ``accounts.rules``)."""

from __future__ import annotations

from django.contrib import admin

from kruzhok.accounts.admin_scoping import ScopedAdmin
from kruzhok.core.models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(ScopedAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("=object_id", "action", "actor__email")
    list_select_related = ("actor",)
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "action", "object_type", "object_id", "data")

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
