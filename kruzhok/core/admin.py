"""The audit log and the background jobs in the back office: read-only, for superusers (see ``accounts.rules``)."""

from __future__ import annotations

from django.contrib import admin

from kruzhok.accounts.admin_scoping import ScopedAdmin
from kruzhok.core.models import AuditLog, Job, ScheduleRun


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


@admin.register(Job)
class JobAdmin(ScopedAdmin):
    list_display = ("created_at", "kind", "status", "done", "total", "created_by", "finished_at")
    list_filter = ("kind", "status")
    search_fields = ("=id", "kind", "created_by__email")
    list_select_related = ("created_by",)
    readonly_fields = ("kind", "params", "status", "done", "total", "message", "result", "error", "attempts",
                       "state", "created_by", "started_at", "finished_at")

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ScheduleRun)
class ScheduleRunAdmin(ScopedAdmin):
    list_display = ("started_at", "name", "period", "job")
    list_filter = ("name",)
    readonly_fields = ("name", "period", "started_at", "job")

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
