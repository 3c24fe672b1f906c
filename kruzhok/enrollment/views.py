"""The organization's inbox: incoming applications with the time left to answer, decisions one by one or in
bulk, acceptance with enrollment, group rosters with the waiting queue, expulsion and transfer.

Who may use it (``@org_staff_required``): the administrators who decide on applications — an organization
admin for their organizations, a municipal or regional admin for the organizations located in their
territory (the same *write* scope the back office gives them; they may correct an organization's decision).
Every list and every action goes through ``scope_queryset(..., write=True)``, so a row outside that scope
is not found (404) and a POST naming it changes nothing. Teachers and parents are refused (403).
Children's data shown: name, age and the guardians' names and phones for contacting the family — never a
national identifier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kruzhok.accounts.models import Role
from kruzhok.accounts.scoping import scope_queryset, user_scope
from kruzhok.catalog.models import Group
from kruzhok.core.errors import DomainError
from kruzhok.enrollment.forms import (
    ACTIONS,
    BulkActionForm,
    EndEnrollmentForm,
    EnrollForm,
    InboxFilterForm,
    TransferForm,
)
from kruzhok.enrollment.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Enrollment,
    EnrollmentStatus,
    RejectReason,
)
from kruzhok.enrollment.selectors import (
    QUEUE_ORDER,
    application_queue_positions,
    count_of,
    inbox_applications,
    inbox_counts,
)
from kruzhok.enrollment.services import (
    application_enroll,
    application_transition,
    enrollment_end,
    enrollment_transfer,
)
from kruzhok.people.models import Guardian

S = ApplicationStatus
View = Callable[..., HttpResponse]
DECIDING_ROLES = frozenset({Role.ORG_ADMIN, Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN})
# Statuses in which the organization still owes the family an answer (a waitlisted child waits for a seat).
AWAITING_ANSWER = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.INVITED})
PAGE_SIZE = 50
QUEUE_SHOWN = 200


def org_staff_required(view: View) -> View:
    """Administrators who decide on applications (organization, municipal, regional) and superusers."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        scope = user_scope(request.user)
        if not (scope.is_superuser or scope.roles & DECIDING_ROLES):
            raise PermissionDenied(_("Входящие заявки доступны администраторам организаций."))
        return view(request, *args, **kwargs)

    wrapper.access = "org_staff"  # type: ignore[attr-defined]
    return wrapper


# --- reads -------------------------------------------------------------------------------------------


def decidable_applications(user: Any) -> QuerySet[Application]:
    return scope_queryset(user, Application.objects.select_related(
        "child", "group__programme__organization", "reject_reason"), write=True)


def decidable_groups(user: Any) -> QuerySet[Group]:
    return scope_queryset(user, Group.objects.select_related("programme__organization"), write=True).order_by(
        "programme__organization__short_name", "programme__title", "name")


def decidable_enrollments(user: Any) -> QuerySet[Enrollment]:
    return scope_queryset(user, Enrollment.objects.select_related("child", "group__programme"), write=True)


def with_contacts(user: Any, queryset: QuerySet) -> QuerySet:
    """Prefetch the children's guardians (name and phone only) onto ``child.contacts``: one query."""
    guardians = scope_queryset(user, Guardian.objects.only("id", "surname", "name", "patronymic", "phone"))
    return queryset.prefetch_related(Prefetch("child__guardians", queryset=guardians, to_attr="contacts"))


@dataclass(frozen=True)
class TimeLeft:
    """Time left before the answer is due (or, when ``overdue``, how long ago it was due)."""

    overdue: bool
    days: int
    hours: int


def time_left(application: Application, now: dt.datetime) -> TimeLeft | None:
    if application.status not in AWAITING_ANSWER or application.answer_due_at is None:
        return None
    seconds = (application.answer_due_at - now).total_seconds()
    hours = int(abs(seconds) // 3600)
    return TimeLeft(overdue=seconds < 0, days=hours // 24, hours=hours % 24)


def _annotate(applications: list[Application], now: dt.datetime) -> list[Application]:
    positions = application_queue_positions(applications)
    today = timezone.localdate(now)
    for application in applications:
        application.queue_position = positions.get(application.pk)
        application.time_left = time_left(application, now)
        application.child_age = application.child.age_on(today)
        application.can_decide = bool(TRANSITIONS[application.status])
        application.allowed_actions = [action for action, to_status in ACTIONS.items()
                                       if to_status in TRANSITIONS[application.status]]
    return applications


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _reasons(user: Any) -> QuerySet[RejectReason]:
    return scope_queryset(user, RejectReason.objects.all())


# --- the inbox ---------------------------------------------------------------------------------------


@org_staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Open applications of my organizations, the answer due soonest first; filters by status and group."""
    user = request.user
    groups = decidable_groups(user)
    filters = InboxFilterForm(request.GET or None, groups=groups)
    status, group = "", None
    if filters.is_valid():
        status, group = filters.cleaned_data["status"], filters.cleaned_data["group"]
    applications = with_contacts(user, inbox_applications(user=user, status=status or None,
                                                          group_id=group.pk if group else None)).order_by(
        F("answer_due_at").asc(nulls_last=True), "submitted_at", "id")
    counts = inbox_counts(user=user)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(request, "inbox/inbox.html", {
        "filters": filters, "page": page, "applications": _annotate(list(page.object_list), now),
        "counts": [(s, counts.get(s.value, 0)) for s in OPEN_STATUSES], "reasons": _reasons(user),
        "actions": BulkActionForm.base_fields["action"].choices, "query": request.GET.urlencode(),
    })


@org_staff_required
@require_POST
def inbox_action(request: HttpRequest) -> HttpResponse:
    """Invite, waitlist, take for review or reject (with a reason) the selected applications, or the one
    named by a row's button (``row=<action>:<id>``). Each moves through the workflow service on its own;
    refusals (no seat, a move the workflow forbids) are reported per application."""
    user = request.user
    data = request.POST.copy()
    action, _sep, row_id = data.get("row", "").partition(":")
    if action:
        data["action"] = action
        data.setlist("ids", [row_id])
    form = BulkActionForm(data, applications=decidable_applications(user), reasons=_reasons(user))
    back = _back(request, reverse("inbox:inbox"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    to_status = ACTIONS[form.cleaned_data["action"]]
    done = 0
    for application in form.cleaned_data["ids"].order_by(*QUEUE_ORDER):
        try:
            application_transition(application=application, to_status=to_status, actor=user,
                                   reject_reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
        except DomainError as error:
            messages.error(request, f"{application.child}: {' '.join(error.messages)}")
        else:
            done += 1
    if done:
        messages.success(request, ngettext("Заявок обработано: %(n)d.", "Заявок обработано: %(n)d.", done)
                         % {"n": done})
    return redirect(back)


@org_staff_required
def application_detail(request: HttpRequest, pk: int, enroll_form: EnrollForm | None = None) -> HttpResponse:
    """One application: the child (name, age, guardians' contacts), history, queue place, decisions."""
    user = request.user
    history = scope_queryset(user, ApplicationStatusChange.objects.select_related("actor").order_by("at", "id"))
    application = get_object_or_404(with_contacts(user, decidable_applications(user)).prefetch_related(
        Prefetch("history", queryset=history)), pk=pk)
    _annotate([application], timezone.now())
    allowed = TRANSITIONS[application.status]
    return render(request, "inbox/application.html", {
        "application": application, "reasons": _reasons(user),
        "can": {action: to_status in allowed for action, to_status in ACTIONS.items()},
        "can_enroll": S.ENROLLED in allowed,
        "enroll_form": enroll_form or EnrollForm.for_group(application.group),
    })


@org_staff_required
@require_POST
def application_enroll_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept and enroll: order number, start date, funding source."""
    application = get_object_or_404(decidable_applications(request.user), pk=pk)
    form = EnrollForm(request.POST)
    if form.is_valid():
        try:
            application_enroll(application=application, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("%(child)s зачислен(а) в группу «%(group)s».")
                             % {"child": application.child, "group": application.group.name})
            return redirect("inbox:group", pk=application.group_id)
    return application_detail(request, pk, enroll_form=form)


# --- groups and rosters ------------------------------------------------------------------------------


@org_staff_required
def groups(request: HttpRequest) -> HttpResponse:
    """My organizations' groups with their seats and the length of the waiting queue."""
    rows = decidable_groups(request.user).annotate(
        waiting=count_of(Application.objects.filter(group_id=OuterRef("pk"), status=S.WAITLISTED)))
    page = Paginator(rows, PAGE_SIZE * 2).get_page(request.GET.get("page"))
    return render(request, "inbox/groups.html", {"page": page})


@org_staff_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A group's roster (active enrollments), invitations holding seats, the waiting queue in order."""
    user = request.user
    group = get_object_or_404(decidable_groups(user), pk=pk)
    today = timezone.localdate()
    roster = list(with_contacts(user, decidable_enrollments(user).filter(
        group=group, status=EnrollmentStatus.ACTIVE)).order_by("child__surname", "child__name"))
    in_group = with_contacts(user, decidable_applications(user).filter(group=group))
    invited = list(in_group.filter(status=S.INVITED).order_by("status_changed_at", "id"))
    waiting = in_group.filter(status=S.WAITLISTED).order_by(*QUEUE_ORDER)
    waiting_total = waiting.count()
    queue = list(waiting[:QUEUE_SHOWN])
    for position, application in enumerate(queue, start=1):
        application.queue_position = position
    for row in roster + invited + queue:
        row.child_age = row.child.age_on(today)
    targets = list(decidable_groups(user).filter(is_active=True).exclude(pk=group.pk)) if roster else []
    return render(request, "inbox/group.html", {
        "group": group, "roster": roster, "invited": invited, "queue": queue, "waiting_total": waiting_total,
        "targets": targets, "today": today,
        "end_statuses": EndEnrollmentForm.base_fields["status"].choices,
    })


def _queue_head(user: Any, group_id: int) -> Application | None:
    return decidable_applications(user).filter(group_id=group_id, status=S.WAITLISTED).order_by(*QUEUE_ORDER).first()


def _report_promotion(request: HttpRequest, head: Application | None) -> None:
    """Say who got the freed seat: the services invite the first child waiting, in queue order."""
    if head is None:
        return
    head.refresh_from_db(fields=["status"])
    if head.status == S.INVITED:
        messages.info(request, _("Освободившееся место предложено следующему в очереди: %(child)s.")
                      % {"child": head.child})


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@org_staff_required
@require_POST
def enrollment_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Expel (or finish): the seat frees at once and the first child in the queue is invited."""
    enrollment = get_object_or_404(decidable_enrollments(request.user), pk=pk)
    form = EndEnrollmentForm(request.POST)
    if form.is_valid():
        head = _queue_head(request.user, enrollment.group_id)
        try:
            enrollment_end(enrollment=enrollment, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Обучение завершено: %(child)s.") % {"child": enrollment.child})
            _report_promotion(request, head)
    else:
        _form_errors(request, form)
    return redirect("inbox:group", pk=enrollment.group_id)


@org_staff_required
@require_POST
def enrollment_transfer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Transfer to another of my groups; the old seat goes to the queue."""
    user = request.user
    enrollment = get_object_or_404(decidable_enrollments(user), pk=pk)
    form = TransferForm(request.POST, groups=decidable_groups(user).exclude(pk=enrollment.group_id))
    if form.is_valid():
        head = _queue_head(request.user, enrollment.group_id)
        try:
            enrollment_transfer(enrollment=enrollment, actor=user, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(child)s переведён(а) в группу «%(group)s».")
                             % {"child": enrollment.child, "group": form.cleaned_data["to_group"].name})
            _report_promotion(request, head)
    else:
        _form_errors(request, form)
    return redirect("inbox:group", pk=enrollment.group_id)
