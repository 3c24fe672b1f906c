"""The parent's cabinet: register, add a child with the consent, apply, follow and withdraw applications.

Who may use it: a *parent* is a signed-in user with a guardian profile (``accounts.scoping.user_scope``);
``@parent_required`` sends a visitor to sign in and a signed-in user without a profile to fill it in.
A parent reaches only their own family's children and applications — anything else is a 404.

Signing in goes through ``django.contrib.auth`` (``authenticate``/``login`` with the configured
``AUTHENTICATION_BACKENDS``): an SSO/OIDC provider plugs in there as another backend and login URL, and its
users become parents the same way, through the "who are you" step of ``register``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kruzhok.accounts.models import Role
from kruzhok.accounts.scoping import scope_queryset, user_scope
from kruzhok.catalog.models import Group, Organization
from kruzhok.catalog.selectors import public_programmes
from kruzhok.core.errors import DomainError
from kruzhok.dedup.forms import flag_hidden_matches
from kruzhok.dedup.selectors import child_quick_check
from kruzhok.enrollment.models import ApplicationStatusChange, Enrollment, EnrollmentStatus
from kruzhok.enrollment.selectors import application_queue_positions, family_applications
from kruzhok.enrollment.services import application_refusal, application_submit, application_withdraw
from kruzhok.people.models import Child
from kruzhok.people.services import CONSENT_TEXT, CONSENT_TEXT_VERSION, child_register, guardian_create, parent_register
from kruzhok.territory.models import Municipality, Settlement
from kruzhok.web.cabinet_forms import ApplyForm, ChildForm, GuardianNameForm, RegisterForm
from kruzhok.web.views import catalog_url

View = Callable[..., HttpResponse]


def parent_required(view: View) -> View:
    """Signed-in parents only: a visitor is sent to sign in, a user without a guardian profile to create it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if Role.PARENT not in user_scope(request.user).roles:
            return redirect(f"{reverse('cabinet:register')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    wrapper.access = "parent"  # type: ignore[attr-defined]
    return wrapper


def anyone(view: View) -> View:
    """Open to visitors and signed-in users alike (the view itself decides what each one gets)."""
    view.access = "anyone"  # type: ignore[attr-defined]
    return view


# --- reads -------------------------------------------------------------------------------------------


def family_children(user: Any) -> QuerySet[Child]:
    """The signed-in parent's own children (a staff member who is also a parent: their family only)."""
    return scope_queryset(user, Child.objects.all()).filter(guardian_links__guardian__user=user)


def public_groups() -> QuerySet[Group]:
    """Groups shown in the public navigator: of published programmes of active organizations."""
    return Group.objects.select_related("programme__organization", "programme__direction", "venue").filter(
        programme__in=public_programmes())


def public_schools() -> QuerySet[Organization]:
    """Schools and kindergartens: public organizations a parent names as the child's school."""
    return Organization.objects.filter(is_active=True, org_type__in=[Organization.Type.SCHOOL,
                                                                     Organization.Type.KINDERGARTEN])


def _with_history(user: Any, applications: QuerySet) -> QuerySet:
    return applications.prefetch_related(Prefetch(
        "history", queryset=scope_queryset(user, ApplicationStatusChange.objects.order_by("at", "id"))))


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _add_errors(form: Any, error: ValidationError) -> None:
    """Put a service's refusal on the form: on its fields where it names them, else above the form."""
    if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
        form.add_error(None, error)
    else:
        form.add_error(None, error.messages)


# --- pages -------------------------------------------------------------------------------------------


@anyone
def register(request: HttpRequest) -> HttpResponse:
    """A visitor creates a parent account (e-mail, password, name) and is signed in at once; a signed-in user
    without a guardian profile (a staff member, an SSO user) gives their name to become a parent."""
    done = _next_url(request, reverse("cabinet:home"))
    user = request.user
    if Role.PARENT in user_scope(user).roles:
        return redirect(done)
    if user.is_authenticated:
        form: Any = GuardianNameForm(request.POST or None, initial={"surname": user.last_name,
                                                                    "name": user.first_name})
        if request.method == "POST" and form.is_valid():
            try:
                guardian_create(user=user, actor=user, **form.cleaned_data)
            except DomainError as error:
                _add_errors(form, error)
            else:
                return redirect(done)
    else:
        form = RegisterForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                parent_register(email=data["email"], password=data["password1"], surname=data["surname"],
                                name=data["name"], patronymic=data["patronymic"], phone=data["phone"],
                                language=translation.get_language() or "ru")
            except DomainError as error:
                _add_errors(form, error)
            else:
                signed_in = authenticate(request, username=data["email"], password=data["password1"])
                if signed_in is None:  # the configured backends do not take passwords: sign in their way
                    return redirect_to_login(done)
                login(request, signed_in)
                messages.success(request, _("Учётная запись создана. Добавьте ребёнка, чтобы подать заявку."))
                return redirect(_next_url(request, reverse("cabinet:child_add")))
    login_url = f"{reverse('web:login')}?{urlencode({'next': done})}"
    return render(request, "cabinet/register.html", {"form": form, "next": request.GET.get("next", ""),
                                                     "login_url": login_url})


@parent_required
def home(request: HttpRequest) -> HttpResponse:
    """My children with their current groups, my applications with status, queue position, history, due date."""
    user = request.user
    active = scope_queryset(user, Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE)).select_related(
        "group__programme")
    children = list(family_children(user).prefetch_related(
        Prefetch("enrollments", queryset=active, to_attr="active_enrollments")))
    applications = list(_with_history(user, family_applications(user=user)))
    positions = application_queue_positions(applications)
    for application in applications:
        application.queue_position = positions.get(application.pk)
    return render(request, "cabinet/home.html", {"children": children, "applications": applications,
                                                 "catalog_url": catalog_url()})


@parent_required
def child_add(request: HttpRequest) -> HttpResponse:
    """Add my child: its data and the personal-data consent of the shown text version (refused without it)."""
    user = request.user
    choices = {
        "municipalities": scope_queryset(user, Municipality.objects.all()),
        "settlements": scope_queryset(user, Settlement.objects.all()),
        "schools": public_schools(),
    }
    duplicates: list = []
    if request.method == "POST" and "refresh" in request.POST:
        # The municipality changed: offer its settlements and schools, keeping what was typed.
        form = ChildForm(initial=request.POST.dict(), **choices)
    elif request.method == "POST":
        form = ChildForm(request.POST, **choices)
        if form.is_valid():
            data = {name: value for name, value in form.cleaned_data.items() if name not in ("consent",
                                                                                          "consent_version")}
            # The quick duplicate check: a parent is told only about their own family's children; a match in
            # another family is never described — the pair goes to the municipality's queue instead.
            check = child_quick_check(user=user, surname=data["surname"], name=data["name"],
                                      birth_date=data["birth_date"])
            if check.visible and not request.POST.get("confirm_new_child"):
                duplicates = check.visible
            else:
                try:
                    child = child_register(actor=user, consent_text_version=form.cleaned_data["consent_version"],
                                           **data)
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    flag_hidden_matches(child=child, check=check)
                    messages.success(request, _("Ребёнок добавлен: %(child)s.") % {"child": child})
                    return redirect(_next_url(request, reverse("cabinet:home")))
    else:
        form = ChildForm(initial={"municipality": request.GET.get("municipality")}, **choices)
    return render(request, "cabinet/child_add.html", {
        "form": form, "consent_text": CONSENT_TEXT, "consent_version": CONSENT_TEXT_VERSION,
        "next": request.GET.get("next", ""), "duplicates": duplicates})


@parent_required
@never_cache  # the back button reloads the form with a fresh token instead of resubmitting an old one
def apply(request: HttpRequest, group_id: int) -> HttpResponse:
    """Apply one of my children to a group. The form's token makes a double click or a retry one application."""
    user = request.user
    group = get_object_or_404(public_groups(), pk=group_id)
    children = family_children(user)
    form = ApplyForm(request.POST or None, children=children)
    if request.method == "POST" and form.is_valid():
        try:
            application = application_submit(
                child=form.cleaned_data["child"], group=group, actor=user,
                idempotency_key=f"{user.pk}:{form.cleaned_data['token']}")
        except DomainError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Заявка подана: %(status)s.") % {"status": application.get_status_display()})
            return redirect("cabinet:application", pk=application.pk)
    now = timezone.now()
    options = [(child, application_refusal(child=child, group=group, now=now)) for child in children]
    return render(request, "cabinet/apply.html", {"group": group, "form": form, "options": options,
                                                  "schedule": group.schedule.all()})


@parent_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of my applications: status, history, place in the queue, the answer's due date; withdraw."""
    application = get_object_or_404(_with_history(request.user, family_applications(user=request.user)), pk=pk)
    application.queue_position = application_queue_positions([application]).get(application.pk)
    return render(request, "cabinet/application.html", {"application": application})


@parent_required
@require_POST
def application_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(family_applications(user=request.user), pk=pk)
    try:
        application_withdraw(application=application, actor=request.user)
    except DomainError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Заявка отозвана."))
    return redirect("cabinet:application", pk=application.pk)
