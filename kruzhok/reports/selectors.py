"""Reads of the reports app: the archive a user sees, the public list, the territories a user may report on."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kruzhok.accounts.models import Role
from kruzhok.accounts.scoping import Scope, scope_queryset, user_scope
from kruzhok.catalog.models import Organization
from kruzhok.reports.models import GeneratedReport
from kruzhok.territory.models import Municipality, Region


def report_archive(*, user: Any) -> QuerySet[GeneratedReport]:
    qs = GeneratedReport.objects.select_related("region", "municipality", "organization", "author", "job")
    return scope_queryset(user, qs)


def report_public_list() -> QuerySet[GeneratedReport]:
    return (GeneratedReport.objects.filter(is_public=True).select_related("region", "municipality", "organization")
            .order_by("-published_at"))


def report_territories(*, user: Any, level: str, everything: bool = False) -> QuerySet:
    """The organizations, municipalities or regions the user may order a report of ``level`` for.

    A regional admin: their regions and the municipalities (and organizations) in them; a municipal admin: their
    municipalities (and organizations in them); an organization's admin: the annual information of their own
    organizations. ``everything=True`` (the scheduler): every territory of the level."""
    scope = Scope(is_superuser=True) if everything else user_scope(user)
    if level == "region":
        return _regions(scope)
    if level == "municipality":
        return _municipalities(scope)
    if level == "organization":
        return _organizations(scope)
    raise ValueError(level)


def _regions(scope: Scope) -> QuerySet[Region]:
    qs = Region.objects.all()
    return qs if scope.is_superuser else qs.filter(pk__in=scope.region_ids)


def _municipalities(scope: Scope) -> QuerySet[Municipality]:
    qs = Municipality.objects.select_related("region")
    if scope.is_superuser:
        return qs
    return qs.filter(Q(pk__in=scope.municipality_ids) | Q(region__in=scope.region_ids))


def _organizations(scope: Scope) -> QuerySet[Organization]:
    qs = Organization.objects.select_related("municipality")
    if scope.is_superuser:
        return qs
    if not scope.roles & {Role.REGIONAL_ADMIN, Role.MUNICIPAL_ADMIN, Role.ORG_ADMIN}:
        return qs.none()
    return qs.filter(Q(pk__in=scope.organization_ids) | Q(municipality__in=scope.municipality_ids)
                     | Q(municipality__region__in=scope.region_ids))


def report_territory_allowed(user: Any, *, level: str, territory: Any) -> bool:
    return report_territories(user=user, level=level).filter(pk=territory.pk).exists()
