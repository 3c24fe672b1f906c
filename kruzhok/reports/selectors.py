"""Reads of the reports app: the archive a user sees, the public list, the territories a user may report on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from kruzhok.accounts.models import Role
from kruzhok.accounts.scoping import Scope, scope_queryset, user_scope
from kruzhok.catalog.models import Direction, Group, Organization, Programme
from kruzhok.enrollment.models import Enrollment, EnrollmentStatus
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


def organizations_licensed(*, municipality: Municipality | None = None, region: Region | None = None) -> int:
    """Active organizations holding a licence for supplementary education in the territory (seed 002: «21»).

    Counted here only (no monitoring selector gives it yet; see /tmp/reports_requests.md)."""
    qs = Organization.objects.filter(is_active=True).exclude(licence_number="")
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if region is not None:
        qs = qs.filter(municipality__region=region)
    return qs.count()


@dataclass(frozen=True)
class DirectionActivity:
    label: str
    programmes: int
    groups: int
    children: int


@dataclass(frozen=True)
class OrganizationActivity:
    """One organization's clubs and pupils on a day, and its graduates in a period (seed 000's first paragraph)."""

    directions: list[DirectionActivity]
    programmes: int
    groups: int
    children: int  # distinct children with an enrollment active on the day
    age_min: int | None
    age_max: int | None
    by_age: list[tuple[str, int]]  # (band label, distinct children)
    graduates: int  # enrollments completed in the period


AGE_BANDS = ((0, 7, "0–6"), (7, 11, "7–10"), (11, 15, "11–14"), (15, 19, "15–18"))


def organization_activity(*, organization: Organization, on: dt.date, start: dt.date,
                          end: dt.date) -> OrganizationActivity:
    """Counted here only, until the monitoring selectors take an organization as their area
    (see /tmp/reports_requests.md)."""
    active = Enrollment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on,
        group__programme__organization=organization, child__merged_into__isnull=True)
    groups = Group.objects.filter(programme__organization=organization, is_active=True, period_start__lte=on,
                                  period_end__gte=on)
    programmes = Programme.objects.filter(organization=organization).exclude(status=Programme.Status.ARCHIVED)
    by_direction: dict[int, dict[str, int]] = {}
    for row in programmes.values("direction").annotate(n=Count("pk")):
        by_direction.setdefault(row["direction"], {})["programmes"] = row["n"]
    for row in groups.values("programme__direction").annotate(n=Count("pk")):
        by_direction.setdefault(row["programme__direction"], {})["groups"] = row["n"]
    for row in active.values("group__programme__direction").annotate(n=Count("child", distinct=True)):
        by_direction.setdefault(row["group__programme__direction"], {})["children"] = row["n"]
    directions = Direction.objects.in_bulk(list(by_direction))
    rows = [DirectionActivity(label=str(directions[pk]), programmes=v.get("programmes", 0), groups=v.get("groups", 0),
                              children=v.get("children", 0))
            for pk, v in sorted(by_direction.items(), key=lambda item: (directions[item[0]].order, item[0]))]
    births = list(active.values_list("child_id", "child__birth_date").distinct())
    ages = {child: _age(born, on) for child, born in births}
    by_age = [(label, sum(1 for age in ages.values() if low <= age < high)) for low, high, label in AGE_BANDS]
    graduates = Enrollment.objects.filter(group__programme__organization=organization,
                                          status=EnrollmentStatus.COMPLETED, end_date__gte=start,
                                          end_date__lte=end).count()
    return OrganizationActivity(directions=rows, programmes=programmes.count(), groups=groups.count(),
                                children=len(ages), age_min=min(ages.values(), default=None),
                                age_max=max(ages.values(), default=None), by_age=by_age, graduates=graduates)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
