"""Pages: the public list of events with its iCalendar feed and a parent's registration; the organization's
pages to record its events, participants and results; a teacher's profile for the organization."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kruzhok.accounts.models import Role
from kruzhok.accounts.scoping import scope_queryset, user_scope
from kruzhok.catalog.models import Organization, Programme, Teacher
from kruzhok.events import selectors, services
from kruzhok.events.forms import EventFilterForm, EventForm, ParticipantResultForm, RegistrationForm, ResultForm
from kruzhok.events.ical import events_calendar
from kruzhok.events.models import BestPractice, BestPracticeFile, Event, EventParticipant, Partnership
from kruzhok.people.models import Child
from kruzhok.web.cabinet_views import anyone, family_children, parent_required

View = Callable[..., HttpResponse]
EVENT_ADMINS = frozenset({Role.ORG_ADMIN, Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN})
PAGE_SIZE = 30


def event_admin_required(view: View) -> View:
    """Administrators of organizations and territories (and superusers)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        scope = user_scope(request.user)
        if not (scope.is_superuser or scope.roles & EVENT_ADMINS):
            raise PermissionDenied(_("Страница доступна администраторам организаций."))
        return view(request, *args, **kwargs)

    wrapper.access = "org_staff"  # type: ignore[attr-defined]
    return wrapper


def _get(getter: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except (Event.DoesNotExist, Teacher.DoesNotExist, BestPractice.DoesNotExist, BestPracticeFile.DoesNotExist):
        raise Http404 from None


def _errors(form: Any, error: ValidationError) -> None:
    form.add_error(None, error.messages)


# --- public ------------------------------------------------------------------------------------------


@anyone
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(selectors.events_public(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "events/list.html", {"form": form, "page": page, "when": filters["when"],
                                                "feed_query": request.GET.urlencode()})


@anyone
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get(selectors.event_public, pk=pk)
    results = selectors.event_public_results(event=event)
    return render(request, "events/detail.html", {
        "event": event, "results": results, "dates": selectors.dates_display(event),
        "refusal": services.event_registration_refusal(event=event)})


@anyone
def event_feed(request: HttpRequest) -> HttpResponse:
    """The public events as iCalendar (the list's filters apply; by default from a month ago on)."""
    filters = EventFilterForm(request.GET or None).filters()
    if "when" not in request.GET:
        filters["when"] = "all"
        filters["date_from"] = filters["date_from"] or timezone.localdate() - timezone.timedelta(days=31)
    events = selectors.events_public(**filters)[:1000]
    body = events_calendar(events, host=request.get_host().split(":")[0],
                           url_for=lambda e: request.build_absolute_uri(reverse("events:detail", args=[e.pk])))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


@parent_required
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register one of my children for an open event (where the organizer allows it)."""
    event = _get(selectors.event_public, pk=pk)
    children = family_children(request.user)
    form = RegistrationForm(request.POST or None, children=children)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_register_child(actor=request.user, event=event, child=form.cleaned_data["child"],
                                          publish_name=form.cleaned_data["publish_name"])
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Ребёнок записан на мероприятие."))
            return redirect("events:detail", pk=event.pk)
    registered = set(event.registrations.filter(child__in=children).values_list("child", flat=True))
    return render(request, "events/register.html", {
        "event": event, "form": form, "refusal": services.event_registration_refusal(event=event),
        "registered": [c for c in children if c.pk in registered]})


# --- the organization's pages ---------------------------------------------------------------------------


@event_admin_required
def org_events(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.events_for_admin(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "events/org/list.html", {"page": page})


def _event_form(request: HttpRequest, instance: Event | None = None) -> EventForm:
    user = request.user
    return EventForm(request.POST or None, instance=instance,
                     organizations=scope_queryset(user, Organization.objects.all(), write=True),
                     programmes=scope_queryset(user, Programme.objects.all(), write=True),
                     partnerships=scope_queryset(user, Partnership.objects.all(), write=True))


def _event_fields(form: EventForm) -> dict[str, Any]:
    """The model's fields and the sessions of the schedule (``[]``: none)."""
    fields = {name: value for name, value in form.cleaned_data.items() if name in form.Meta.fields}
    return {**fields, "dates": form.cleaned_data["dates"]}


@event_admin_required
def org_event_create(request: HttpRequest) -> HttpResponse:
    form = _event_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, **_event_fields(form))
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(request, _("Мероприятие создано: добавьте участников и результаты."))
            return redirect("events:org_event", pk=event.pk)
    return render(request, "events/org/form.html", {"form": form, "event": None})


@event_admin_required
def org_event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get(selectors.event_for_admin, user=request.user, pk=pk)
    form = _event_form(request, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(actor=request.user, event=Event.objects.get(pk=pk), **_event_fields(form))
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(request, _("Мероприятие сохранено."))
            return redirect("events:org_event", pk=pk)
    return render(request, "events/org/form.html", {"form": form, "event": event})


def _participant_form(request: HttpRequest, event: Event) -> ParticipantResultForm:
    user = request.user
    own = scope_queryset(user, Organization.objects.all(), write=True)
    form = ParticipantResultForm(
        request.POST or None,
        children=scope_queryset(user, Child.objects.all()).order_by("surname", "name"),
        teachers=scope_queryset(user, Teacher.objects.all()),
        organizations=Organization.objects.filter(is_active=True))
    form.fields["organization"].initial = event.organizer if event.organizer_id in set(
        own.values_list("pk", flat=True)) else own.first()
    return form


@event_admin_required
def org_event(request: HttpRequest, pk: int) -> HttpResponse:
    """An event with its participants and results; one form adds a participant with their result."""
    event = _get(selectors.event_for_admin, user=request.user, pk=pk)
    form = _participant_form(request, event)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            participant = services.participant_add(
                actor=request.user, event=event, organization=data["organization"], child=data["child"],
                teacher=data["teacher"], team_name=data["team_name"], mentor=data["mentor"])
            if data["result"]:
                services.result_record(actor=request.user, participant=participant, result=data["result"],
                                       nomination=data["nomination"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, getattr(error, "messages", [str(error)]))
        else:
            messages.success(request, _("Участник добавлен: %(who)s.") % {"who": participant})
            return redirect("events:org_event", pk=pk)
    return render(request, "events/org/event.html", {
        "event": event, "form": form, "result_form": ResultForm(auto_id=False),
        "participants": selectors.event_participants_for_admin(user=request.user, event=event),
        "registrations": selectors.event_registrations(user=request.user, event=event),
        "deletable": services.event_is_deletable(event), "dates": selectors.dates_display(event)})


@event_admin_required
@require_POST
def org_result_add(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    event = _get(selectors.event_for_admin, user=request.user, pk=pk)
    participant = EventParticipant.objects.filter(event=event, pk=participant_pk).first()
    form = ResultForm(request.POST)
    if participant is None:
        raise Http404
    if form.is_valid():
        try:
            services.result_record(actor=request.user, participant=participant, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("events:org_event", pk=pk)


@event_admin_required
@require_POST
def org_event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get(selectors.event_for_admin, user=request.user, pk=pk)
    services.event_cancel(actor=request.user, event=event, reason=request.POST.get("reason", ""))
    messages.success(request, _("Мероприятие отменено."))
    return redirect("events:org_event", pk=pk)


@event_admin_required
@require_POST
def org_event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get(selectors.event_for_admin, user=request.user, pk=pk)
    try:
        services.event_delete(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("events:org_event", pk=pk)
    messages.success(request, _("Мероприятие удалено."))
    return redirect("events:org_events")


@event_admin_required
def org_teachers(request: HttpRequest) -> HttpResponse:
    """The organization's (or territory's) teachers with the education and category breakdowns."""
    area = selectors.user_area(user=request.user)
    today = timezone.localdate()
    teachers = selectors.teachers_employed(on=today, **area).order_by("surname", "name")
    teachers = scope_queryset(request.user, teachers)
    return render(request, "events/org/teachers.html", {
        "teachers": teachers, "staffing": selectors.staffing_summary(on=today, **area), "area": area})


@event_admin_required
def org_teacher(request: HttpRequest, pk: int) -> HttpResponse:
    teacher = _get(selectors.teacher_profile, user=request.user, teacher_id=pk)
    return render(request, "events/org/teacher.html", {
        "teacher": teacher, "results": selectors.teacher_pupils_results(teacher=teacher)})


# --- the bank of best practices ----------------------------------------------------------------------------


@anyone
def practice_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.practices_public(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "events/practices.html", {"page": page})


@anyone
def practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A practice of the bank (or, for its organization's and territory's admins, one not yet in it) with its
    files; an organization's admin records that their organization adopted it."""
    practice = _get(selectors.practice_visible, user=request.user, pk=pk)
    adopters = []
    if (request.user.is_authenticated and user_scope(request.user).roles & EVENT_ADMINS
            and practice.status != BestPractice.Status.IDENTIFIED):
        done = {o.pk for o in practice.adopted_by.all()} | {practice.organization_id}
        adopters = [o for o in scope_queryset(request.user, Organization.objects.all(), write=True)
                    if o.pk not in done]
    if request.method == "POST":
        organization = next((o for o in adopters if str(o.pk) == request.POST.get("organization")), None)
        if organization is None:
            raise PermissionDenied(_("Нет прав на это действие."))
        try:
            services.practice_adopt(actor=request.user, practice=practice, organization=organization)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Отмечено: %(org)s внедряет практику.") % {"org": organization.short_name})
        return redirect("events:practice", pk=pk)
    return render(request, "events/practice.html", {"practice": practice, "adopters": adopters})


@anyone
def practice_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A file of a practice, to whoever sees the practice."""
    row = _get(selectors.practice_file_visible, user=request.user, practice_id=pk, file_id=file_pk)
    try:
        handle = row.file.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=row.filename)
