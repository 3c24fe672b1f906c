"""Pages of the duplicate queue: the queue by groups, one pair side by side with its decision, the merge history
with unmerge, and starting a search over a territory.

Territory admins (municipal, regional) decide; an organization's admin sees the pairs involving its pupils and
may flag them for the municipality. Everything goes through ``accounts.scoping``: a pair out of scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kruzhok.accounts.models import Role
from kruzhok.accounts.scoping import scope_queryset, user_scope
from kruzhok.core.errors import DomainError
from kruzhok.core.jobs import job_for_user, job_start
from kruzhok.core.models import Job
from kruzhok.dedup.models import CandidateStatus
from kruzhok.dedup.selectors import (
    candidate_detail,
    candidate_queue,
    candidates_for,
    is_territory_admin,
    merges_for,
)
from kruzhok.dedup.services import (
    MERGEABLE_FIELDS,
    MergeConflictError,
    candidate_decide,
    candidate_flag,
    child_merge,
    child_unmerge,
)
from kruzhok.people.models import Child
from kruzhok.territory.models import Municipality


def _may_see_queue(user) -> bool:
    scope = user_scope(user)
    return scope.is_superuser or bool(scope.roles & {Role.REGIONAL_ADMIN, Role.MUNICIPAL_ADMIN, Role.ORG_ADMIN})


def _require_queue(user) -> None:
    if not _may_see_queue(user):
        raise PermissionDenied


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The groups of possible duplicates waiting for a decision, heaviest first."""
    _require_queue(request.user)
    status = request.GET.get("status", "")
    statuses = (status,) if status in CandidateStatus.values else (
        CandidateStatus.OPEN, CandidateStatus.FLAGGED, CandidateStatus.POSTPONED)
    job = None
    if request.GET.get("job"):
        try:
            job = job_for_user(request.user, int(request.GET["job"]))
        except (Job.DoesNotExist, ValueError):
            job = None
    territory_admin = is_territory_admin(request.user)
    return render(request, "dedup/queue.html", {
        "groups": candidate_queue(user=request.user, statuses=statuses), "status": status,
        "statuses": CandidateStatus.choices, "territory_admin": territory_admin, "job": job,
        "municipalities": scope_queryset(request.user, Municipality.objects.all()).filter(
            pk__in=_own_municipalities(request.user)) if territory_admin else [],
    })


def _own_municipalities(user):
    scope = user_scope(user)
    if scope.is_superuser:
        return Municipality.objects.values("pk")
    return Municipality.objects.filter(Q(pk__in=scope.municipality_ids) | Q(region__in=scope.region_ids)).values("pk")


@login_required
@require_POST
def search_start(request: HttpRequest) -> HttpResponse:
    """Start the search over one municipality of the admin's territory (a background job with progress)."""
    if not is_territory_admin(request.user):
        raise PermissionDenied
    try:
        municipality = Municipality.objects.filter(pk__in=_own_municipalities(request.user)).get(
            pk=int(request.POST.get("municipality", "")))
    except (Municipality.DoesNotExist, ValueError):
        raise Http404 from None
    job = job_start(kind="dedup.search", params={"municipality": municipality.pk}, actor=request.user)
    return redirect(f"{_url('dedup:queue')}?job={job.pk}")


def _url(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


@login_required
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    """One pair side by side: values, agreement, each comparison's contribution; merge / not a duplicate /
    postpone for territory admins, flag for an organization's admin."""
    _require_queue(request.user)
    candidate = get_object_or_404(candidates_for(request.user).select_related(
        "child_a", "child_b", "child_a__municipality", "child_b__municipality", "child_a__school",
        "child_b__school", "child_a__settlement", "child_b__settlement"), pk=pk)
    territory_admin = is_territory_admin(request.user)
    error_conflicts = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "flag":
                candidate_flag(candidate=candidate, actor=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("Пара отмечена для муниципалитета."))
                return redirect("dedup:pair", pk=candidate.pk)
            if not territory_admin or not candidates_for(request.user, write=True).filter(pk=candidate.pk).exists():
                raise PermissionDenied
            if action in (CandidateStatus.NOT_DUPLICATE, CandidateStatus.POSTPONED):
                candidate_decide(candidate=candidate, decision=action, actor=request.user,
                                 note=request.POST.get("note", ""))
                messages.success(request, _("Решение сохранено."))
                return redirect("dedup:queue")
            if action == "merge":
                keep = request.POST.get("survivor")
                survivor, absorbed = ((candidate.child_b, candidate.child_a) if keep == str(candidate.child_b_id)
                                      else (candidate.child_a, candidate.child_b))
                side_of_absorbed = "b" if absorbed.pk == candidate.child_b_id else "a"
                chosen = {name: "absorbed" for name in MERGEABLE_FIELDS
                          if request.POST.get(f"field_{name}") == side_of_absorbed}
                # The page names the child whose row stays (a / b); the service the role (survivor / absorbed).
                resolutions = {key[len("conflict_"):]: _role(value, survivor, candidate)
                               for key, value in request.POST.items()
                               if key.startswith("conflict_") and value in ("a", "b", "survivor", "absorbed")}
                child_merge(survivor=survivor, absorbed=absorbed, actor=request.user, chosen=chosen,
                            resolutions=resolutions, candidate=candidate)
                messages.success(request, _("Записи объединены: %(child)s.") % {"child": survivor})
                return redirect("dedup:queue")
        except MergeConflictError as error:
            error_conflicts = error.conflicts
            messages.error(request, error.messages[0])
        except DomainError as error:
            messages.error(request, error.messages[0])
    view = candidate_detail(candidate=candidate)
    return render(request, "dedup/pair.html", {"view": view, "candidate": candidate,
                                               "territory_admin": territory_admin,
                                               "error_conflicts": error_conflicts})


def _role(value: str, survivor: Child, candidate) -> str:
    """A conflict choice on the page names the child whose row stays: «a», «b» → survivor / absorbed."""
    if value in ("survivor", "absorbed"):
        return value
    child_id = candidate.child_a_id if value == "a" else candidate.child_b_id
    return "survivor" if child_id == survivor.pk else "absorbed"


@login_required
def merges(request: HttpRequest) -> HttpResponse:
    """The merge history of the admin's territory, each merge with its unmerge button."""
    if not is_territory_admin(request.user):
        raise PermissionDenied
    return render(request, "dedup/merges.html", {"merges": merges_for(request.user)[:200]})


@login_required
@require_POST
def unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_territory_admin(request.user):
        raise PermissionDenied
    record = get_object_or_404(merges_for(request.user), pk=pk)
    try:
        child_unmerge(record=record, actor=request.user)
    except DomainError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Объединение отменено: обе записи восстановлены."))
    return redirect("dedup:merges")
