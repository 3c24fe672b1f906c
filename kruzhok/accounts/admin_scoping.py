"""The admin's scoping: every admin list, form, lookup and permission goes through ``accounts.scoping``.

* lists, change pages, searches and autocompletes show the rows :func:`scope_queryset` gives;
* a foreign key or many-to-many field offers the rows the user may see, plus the value the row already
  holds (an organization admin may keep a child's school that lies outside the organization);
* fields named in ``directory_fields`` offer the public directory of active organizations instead
  (network partners, a child's school: every organization's name is public in the navigator);
* fields named in ``superuser_fields`` (links to user accounts) are read-only for everyone else;
* after a save, the row must still be one the user may change, or the whole save is rolled back;
* a refusal by a service (:class:`~kruzhok.core.errors.DomainError`) is shown as a message, not a crash.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.models import Role
from kruzhok.accounts.scoping import Scope, can_change, may_use_model, scope_queryset, user_scope
from kruzhok.core.errors import DomainError

TERRITORY_ROLES = frozenset({Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN})


def administers_territory(user: Any) -> bool:
    """Superusers and the admins of a municipality or a region."""
    scope = user_scope(user)
    return scope.is_superuser or bool(scope.roles & TERRITORY_ROLES)


def sees_personal_ids(user: Any) -> bool:
    """National identifiers (СНИЛС, ИИН) are shown to superusers and territory admins only."""
    return administers_territory(user)


class ScopedQuerysetMixin:
    """Querysets and choices limited to what the signed-in user may see; writes to what they may change."""

    directory_fields: tuple[str, ...] = ()
    superuser_fields: tuple[str, ...] = ()
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, without the warning

    def scope(self, request: HttpRequest) -> Scope:
        return user_scope(request.user)

    def get_queryset(self, request: HttpRequest):
        return scope_queryset(request.user, super().get_queryset(request))  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._choices(request, db_field, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and hasattr(field, "queryset"):
            field.queryset = self._choices(request, db_field, field.queryset)
        return field

    def _choices(self, request: HttpRequest, db_field, queryset: models.QuerySet) -> models.QuerySet:
        if db_field.name in self.directory_fields:
            return _directory(queryset)
        return _scoped_choices(request, queryset)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        fields = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if self.superuser_fields and not self.scope(request).is_superuser:
            fields += tuple(f for f in self.superuser_fields if f not in fields)
        return fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not may_use_model(request.user, self.model):  # type: ignore[attr-defined]
            return False
        return obj is None or _in(scope_queryset(request.user, self.model._default_manager.all()), obj)  # type: ignore[attr-defined]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not may_use_model(request.user, self.model, write=True):  # type: ignore[attr-defined]
            return False
        return obj is None or can_change(request.user, obj)

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


def _directory(queryset: models.QuerySet) -> models.QuerySet:
    """The public directory of a model: its active rows (organizations are listed in the navigator)."""
    names = {f.name for f in queryset.model._meta.get_fields()}
    return queryset.filter(is_active=True) if "is_active" in names else queryset


def keeping_current_choices(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """The form class whose model choice fields also accept the value the edited row already holds.

    Choices are what the user may see; a row they may change can still point outside that (a pupil's
    school, a shared venue). Without its current value in the choices, the form could not be saved at all.
    """

    class Form(form_class):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            instance = getattr(self, "instance", None)
            if instance is None or instance.pk is None:
                return
            for name, field in self.fields.items():
                if isinstance(field, forms.ModelChoiceField):
                    _keep_current(instance, name, field)

    Form.__name__ = form_class.__name__
    Form.__qualname__ = form_class.__qualname__
    return Form


def _keep_current(instance: models.Model, name: str, field: forms.ModelChoiceField) -> None:
    try:
        model_field = instance._meta.get_field(name)
    except Exception:  # a form-only field
        return
    if model_field.many_to_many:
        current = field.queryset.model._default_manager.filter(
            pk__in=getattr(instance, name).values("pk"))
    elif model_field.many_to_one or model_field.one_to_one:
        value = getattr(instance, model_field.attname, None)
        if value is None:
            return
        current = field.queryset.model._default_manager.filter(**{field.to_field_name or "pk": value})
    else:
        return
    field.queryset = field.queryset | current


class InScope(RelatedOnlyFieldListFilter):
    """A related-field filter offering only values that occur in the list *and* that the user may see
    (a teacher employed by two organizations does not reveal the other one to either's admin)."""

    def field_choices(self, field, request, model_admin):
        present = model_admin.get_queryset(request).distinct().values_list(f"{self.field_path}__pk", flat=True)
        visible = _scoped_choices(request, field.related_model._default_manager.all()).values("pk")
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to=Q(pk__in=present) & Q(pk__in=visible),
                                 ordering=ordering)


PERSONAL_ID_FIELDS = ("national_id_kind", "national_id", "personal_id")


def _export_columns(model_admin: Any, request: HttpRequest) -> list[str]:
    """The list's own columns, plus national identifiers for the roles that see them (never for others)."""
    names = [n for n in model_admin.get_list_display(request) if n != "action_checkbox"]
    model_fields = {f.name for f in model_admin.model._meta.concrete_fields}
    if sees_personal_ids(request.user):
        names += [n for n in PERSONAL_ID_FIELDS if n in model_fields and n not in names]
    else:
        names = [n for n in names if n not in PERSONAL_ID_FIELDS]
    return names


def _export_value(model_admin: Any, obj: Any, name: str) -> Any:
    from django.contrib.admin.utils import lookup_field
    from django.db.models import Model
    from django.utils.html import strip_tags
    from django.utils.safestring import SafeData

    try:
        field, _attr, value = lookup_field(name, obj, model_admin)
    except Exception:  # a broken column must not break the whole export
        return ""
    if field is not None and getattr(field, "choices", None) and not field.many_to_one:
        value = dict(field.flatchoices).get(value, value)
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, SafeData):
        return strip_tags(value)
    return value


def export_action(fmt: str):
    """An admin action writing the selected rows (already scoped by ``get_queryset``) to XLSX or CSV."""

    def action(model_admin: Any, request: HttpRequest, queryset: models.QuerySet):
        from django.contrib.admin.utils import label_for_field
        from django.utils.text import capfirst

        from kruzhok.interchange.export import table_response

        names = _export_columns(model_admin, request)
        columns = [(n, str(capfirst(label_for_field(n, model_admin.model, model_admin)))) for n in names]
        queryset = scope_queryset(request.user, queryset)
        if model_admin.list_select_related is True:
            queryset = queryset.select_related()
        elif model_admin.list_select_related:
            queryset = queryset.select_related(*model_admin.list_select_related)
        rows = ([_export_value(model_admin, obj, n) for n in names] for obj in queryset)
        return table_response(filename=str(capfirst(model_admin.model._meta.verbose_name_plural)), columns=columns,
                              rows=rows, fmt=fmt)

    action.__name__ = f"export_{fmt}"
    action.short_description = (_("Выгрузить выбранные в XLSX") if fmt == "xlsx"  # type: ignore[attr-defined]
                                else _("Выгрузить выбранные в CSV"))
    action.allowed_permissions = ("view",)  # type: ignore[attr-defined]
    return action


EXPORT_ACTIONS = (export_action("xlsx"), export_action("csv"))


class ScopedAdmin(ScopedQuerysetMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False  # a full COUNT(*) on millions of rows on every page is not worth it

    def get_actions(self, request: HttpRequest):
        """Every list exports what the user sees (the action's queryset is the scoped, filtered selection), also
        where a subclass names its own actions."""
        actions = super().get_actions(request)
        if "_popup" in request.GET or not self.has_view_permission(request):
            return actions
        for func in EXPORT_ACTIONS:
            actions.setdefault(func.__name__, (func, func.__name__, func.short_description))
        return actions

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        return keeping_current_choices(super().get_form(request, obj, **kwargs))

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        self.attach_to_scope(request, form.instance, change)
        # The saved row (with its inlines) must still be one the user may change: nobody creates or
        # moves rows outside their own scope. Raising inside the admin's transaction rolls it all back.
        if not can_change(request.user, form.instance):
            raise PermissionDenied(_("Сохранённая запись оказалась бы вне вашей области доступа."))

    def attach_to_scope(self, request: HttpRequest, obj: Any, change: bool) -> None:
        """Hook: link a row just added to the user's organization (a new teacher's employment)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:  # the transaction is already rolled back
            self.message_user(request, " ".join(str(m) for m in error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ScopedInlineMixin(ScopedQuerysetMixin):
    """In an inline, ``obj`` is the *parent* row: its rows may be changed when the parent may be changed.

    The inline's own rows are still scoped by :meth:`get_queryset`.
    """

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.form = keeping_current_choices(formset.form)
        return formset

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_use_model(request.user, self.model)  # type: ignore[attr-defined]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not may_use_model(request.user, self.model, write=True):  # type: ignore[attr-defined]
            return False
        return obj is None or obj.pk is None or can_change(request.user, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)


class ScopedTabularInline(ScopedInlineMixin, admin.TabularInline):
    extra = 0


class ScopedStackedInline(ScopedInlineMixin, admin.StackedInline):
    extra = 0


class ReadOnlyInlineMixin:
    """An inline that only shows rows (a status history, records written by services)."""

    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
