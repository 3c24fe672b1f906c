"""Reads of applications: queue positions, a family's applications, an organization's inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

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


def applications_with_positions(applications: list[Application]) -> list[Application]:
    """Set ``queue_position`` on each application (as ``application_queue_position``) in one or two queries."""
    waiting = [a for a in applications if a.status == S.WAITLISTED]
    for application in applications:
        application.queue_position = None  # type: ignore[attr-defined]
    if not waiting:
        return applications
    group_ids = {a.group_id for a in waiting}
    ranked = Application.objects.filter(group_id__in=group_ids, status=S.WAITLISTED).annotate(
        position=Window(RowNumber(), partition_by=[F("group_id")], order_by=QUEUE_ORDER))
    positions = dict(ranked.filter(pk__in=[a.pk for a in waiting]).values_list("pk", "position"))
    undrawn = dict(
        Application.objects.filter(_UNDRAWN, group_id__in=group_ids, group__allocation=Group.Allocation.LOTTERY)
        .values("group_id").annotate(n=Count("id")).values_list("group_id", "n")
    ) if any(a.group.allocation == Group.Allocation.LOTTERY for a in waiting) else {}
    for application in waiting:
        position = positions[application.pk]
        if application.lottery_rank is None:
            position += undrawn.get(application.group_id, 0)
        application.queue_position = position  # type: ignore[attr-defined]
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
