"""The admin's scoping: every admin list, form, lookup and permission goes through ``accounts.scoping``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from kruzhok.accounts.scoping import may_use_model, scope_queryset


class ScopedQuerysetMixin:
    """Querysets and choices limited to what the signed-in user may see; writes to what they may change."""

    def get_queryset(self, request: HttpRequest):
        return scope_queryset(request.user, super().get_queryset(request))  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = _scoped_choices(request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = _scoped_choices(request, field.queryset)
        return field

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not may_use_model(request.user, self.model):  # type: ignore[attr-defined]
            return False
        return obj is None or _in(scope_queryset(request.user, self.model._default_manager.all()), obj)  # type: ignore[attr-defined]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not may_use_model(request.user, self.model, write=True):  # type: ignore[attr-defined]
            return False
        return obj is None or _in(
            scope_queryset(request.user, self.model._default_manager.all(), write=True), obj)  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return may_use_model(request.user, self.model, write=True)  # type: ignore[attr-defined]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_use_model(request.user, self.model)  # type: ignore[attr-defined]


def _in(queryset: models.QuerySet, obj: models.Model) -> bool:
    return obj.pk is not None and queryset.filter(pk=obj.pk).exists()


def _scoped_choices(request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
    try:
        return scope_queryset(request.user, queryset)
    except LookupError:  # a model without a rule (e.g. ContentType) is never offered as a choice
        return queryset.none()


class ScopedAdmin(ScopedQuerysetMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False  # a full COUNT(*) on millions of rows on every page is not worth it


class ScopedTabularInline(ScopedQuerysetMixin, admin.TabularInline):
    extra = 0


class ScopedStackedInline(ScopedQuerysetMixin, admin.StackedInline):
    extra = 0
