from __future__ import annotations

from dataclasses import dataclass

from kruzhok.catalog.models import Direction, Organization, Programme


@dataclass(frozen=True)
class HomeSummary:
    organizations: int
    programmes: int
    directions: list[Direction]


def home_summary() -> HomeSummary:
    """Public figures for the front page: published programmes and active organizations only."""
    published = Programme.objects.filter(status=Programme.Status.PUBLISHED, organization__is_active=True)
    direction_ids = published.values("direction_id")
    return HomeSummary(
        organizations=Organization.objects.filter(is_active=True, programmes__in=published).distinct().count(),
        programmes=published.count(),
        directions=list(Direction.objects.filter(pk__in=direction_ids)),
    )
