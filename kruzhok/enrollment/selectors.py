"""Reads of applications: queue positions, a family's applications, an organization's inbox."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from kruzhok.accounts.scoping import scope_queryset
from kruzhok.catalog.models import Group
from kruzhok.enrollment.models import OPEN_STATUSES, Application, ApplicationStatus

S = ApplicationStatus

# The waiting queue of a group: the lottery rank first (a lottery group's window), then receive time, then id.
QUEUE_ORDER = (F("lottery_rank").asc(nulls_last=True), "submitted_at", "id")

# Applications received in a lottery window and not drawn yet: once drawn, they rank ahead of every
# application that came after the window, so they count as ahead of those already now.
_UNDRAWN = Q(status__in=(S.SUBMITTED, S.UNDER_REVIEW), lottery_rank__isnull=True,
             submitted_at__gte=F("group__enrollment_opens_at"), submitted_at__lt=F("group__lottery_window_ends_at"))


def application_queue_position(*, application: Application) -> int | None:
    """1 for the first in the waiting queue of its group; None when the application is not waiting."""
    if application.status != S.WAITLISTED:
        return None
    ahead = Application.objects.filter(group_id=application.group_id, status=S.WAITLISTED)
    if application.lottery_rank is not None:
        ahead = ahead.filter(lottery_rank__lt=application.lottery_rank)
    else:
        ahead = ahead.filter(
            Q(lottery_rank__isnull=False)
            | Q(submitted_at__lt=application.submitted_at)
            | Q(submitted_at=application.submitted_at, pk__lt=application.pk)
        )
        if application.group.allocation == Group.Allocation.LOTTERY:
            ahead = Application.objects.filter(
                Q(pk__in=ahead.values("pk")) | _UNDRAWN, group_id=application.group_id)
    return ahead.count() + 1


def count_of(queryset: QuerySet) -> Coalesce:
    """A correlated ``COUNT`` of a queryset filtered by ``OuterRef("group_id")``-style references (0 when none)."""
    return Coalesce(Subquery(queryset.order_by().values("group_id").annotate(n=Count("pk")).values("n")[:1],
                             output_field=IntegerField()), Value(0))


def application_queue_positions(applications: Iterable[Application]) -> dict[int, int]:
    """Place in its group's waiting queue (1 = next) of each waitlisted application, in one query.

    The same count as ``application_queue_position`` — queue order lottery rank, receive time, id; in a lottery
    group the undrawn applications of the window count as ahead of an unranked one — made for a whole page at
    once by a correlated count per application (a window function would number only the rows selected).
    """
    waiting = [a.pk for a in applications if a.status == S.WAITLISTED]
    if not waiting:
        return {}
    queue = Application.objects.filter(group_id=OuterRef("group_id"), status=S.WAITLISTED)
    ahead_of_ranked = queue.filter(lottery_rank__lt=OuterRef("lottery_rank"))
    ahead_of_unranked = Application.objects.filter(group_id=OuterRef("group_id")).filter(
        Q(status=S.WAITLISTED) & (Q(lottery_rank__isnull=False) | Q(submitted_at__lt=OuterRef("submitted_at"))
                                  | Q(submitted_at=OuterRef("submitted_at"), pk__lt=OuterRef("pk")))
        | (_UNDRAWN & Q(group__allocation=Group.Allocation.LOTTERY)))
    rows = Application.objects.filter(pk__in=waiting).annotate(ahead=Case(
        When(lottery_rank__isnull=True, then=count_of(ahead_of_unranked)), default=count_of(ahead_of_ranked),
        output_field=IntegerField())).values_list("pk", "ahead")
    return {pk: ahead + 1 for pk, ahead in rows}


def applications_with_positions(applications: list[Application]) -> list[Application]:
    """Set ``queue_position`` on each application (None when not waiting), in one query."""
    positions = application_queue_positions(applications)
    for application in applications:
        application.queue_position = positions.get(application.pk)  # type: ignore[attr-defined]
    return applications


def family_applications(*, user: Any) -> QuerySet[Application]:
    """The applications of the signed-in parent's children, newest first."""
    qs = Application.objects.select_related("child", "group__programme__organization", "reject_reason")
    return scope_queryset(user, qs).filter(child__guardian_links__guardian__user=user).order_by("-submitted_at")


def inbox_applications(*, user: Any, status: str | None = None, group_id: int | None = None,
                       organization_id: int | None = None) -> QuerySet[Application]:
    """The applications this user decides on (their organization's, for an organization admin), the
    soonest due first; closed ones only when asked for by status."""
    qs = scope_queryset(user, Application.objects.select_related(
        "child", "group__programme__organization", "reject_reason"), write=True)
    qs = qs.filter(status=status) if status else qs.filter(status__in=OPEN_STATUSES)
    if group_id:
        qs = qs.filter(group_id=group_id)
    if organization_id:
        qs = qs.filter(group__programme__organization_id=organization_id)
    return qs.order_by("answer_due_at", "submitted_at", "id")


def inbox_counts(*, user: Any) -> dict[str, int]:
    """Open applications per status in this user's inbox."""
    qs = scope_queryset(user, Application.objects.all(), write=True).filter(status__in=OPEN_STATUSES)
    return dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
