"""Back office of the monitoring app: the precomputed coverage, read-only (the refresh job writes it)."""

from __future__ import annotations

from django.contrib import admin

from kruzhok.accounts.admin_scoping import ScopedAdmin
from kruzhok.monitoring.models import CoverageAggregate, CoverageSnapshot


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CoverageSnapshot)
class CoverageSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("on", "computed_at", "duration_s")
    date_hierarchy = "on"


@admin.register(CoverageAggregate)
class CoverageAggregateAdmin(ReadOnlyAdmin):
    list_display = ("snapshot", "municipality", "age", "sex", "rural", "direction", "org_type", "category",
                    "children", "enrollments", "computed_at")
    list_filter = ("snapshot", "org_type", "category", "sex")
    list_select_related = ("snapshot", "municipality", "direction")
