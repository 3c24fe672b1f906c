"""The archive of generated reports in the back office (scoped like the archive page)."""

from __future__ import annotations

from django.contrib import admin

from kruzhok.accounts.admin_scoping import ScopedAdmin
from kruzhok.reports.models import GeneratedReport


@admin.register(GeneratedReport)
class GeneratedReportAdmin(ScopedAdmin):
    list_display = ("created_at", "template", "region", "municipality", "organization", "period_start", "period_end",
                    "language", "author", "is_public")
    list_filter = ("template", "language", "is_public")
    list_select_related = ("region", "municipality", "organization", "author")
    readonly_fields = ("template", "title", "region", "municipality", "organization", "period_start", "period_end",
                       "language", "parameters", "author", "schedule", "created_at", "data_at", "job", "docx", "pdf",
                       "xlsx", "is_public", "published_at")

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # published and unpublished on the reports page (kruzhok.reports.services.report_publish)
