"""Back office of the duplicate queue: the pairs a search found, read-only (decisions are made on /dedup/)."""

from __future__ import annotations

from django.contrib import admin

from kruzhok.accounts.admin_scoping import ScopedAdmin
from kruzhok.dedup.models import Candidate


@admin.register(Candidate)
class CandidateAdmin(ScopedAdmin):
    list_display = ("__str__", "municipality", "match_weight", "status", "decided_by", "decided_at")
    list_filter = ("status",)
    list_select_related = ("child_a", "child_b", "municipality", "decided_by")
    readonly_fields = ("child_a", "child_b", "municipality", "match_weight", "match_probability", "contributions",
                       "cluster", "job", "decided_by", "decided_at", "created_at", "updated_at")
    fields = ("child_a", "child_b", "municipality", "match_weight", "match_probability", "contributions", "cluster",
              "status", "note", "job", "decided_by", "decided_at", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False
