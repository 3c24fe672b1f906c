from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from kruzhok.catalog.models import Direction, Organization, Programme


@dataclass(frozen=True)
class HomeSummary:
    organizations: int
    programmes: int
    directions: Sequence[Direction]  # each annotated with ``programme_count``


def home_summary() -> HomeSummary:
    """Public figures for the front page: published programmes of active organizations only.

    Two queries whatever the size of the catalog: directions with their published programme counts
    (which also sum to the programme total, a programme having one direction) and the organizations.
    """
    is_public = Q(status=Programme.Status.PUBLISHED, organization__is_active=True)
    directions = list(
        Direction.objects.annotate(
            programme_count=Count(
                "programme",
                filter=Q(programme__status=Programme.Status.PUBLISHED, programme__organization__is_active=True),
            )
        )
        .filter(programme_count__gt=0)
        .order_by("country", "order")
    )
    organizations = (
        Organization.objects.filter(is_active=True, programmes__in=Programme.objects.filter(is_public))
        .distinct()
        .count()
    )
    return HomeSummary(
        organizations=organizations,
        programmes=sum(d.programme_count for d in directions),
        directions=directions,
    )
