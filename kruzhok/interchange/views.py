"""Pages of the import: upload, column mapping, preview (a dry run), the import itself, its result and error report.

Who: superusers and the admins of an organization, a municipality or a region; each writes only into what
``scope_queryset(..., write=True)`` gives them (checked row by row by the registries). A job's page is shown only to
the user who started it (``job_for_user``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kruzhok.accounts.models import Role
from kruzhok.accounts.scoping import user_scope
from kruzhok.core.errors import DomainError
from kruzhok.core.jobs import job_for_user
from kruzhok.core.models import Job
from kruzhok.interchange import reading
from kruzhok.interchange.export import FORMATS, table_response
from kruzhok.interchange.importer import (
    KIND,
    auto_mapping,
    errors_read,
    import_start,
    missing_required,
    upload_path,
    upload_save,
)
from kruzhok.interchange.registries import REGISTRIES

IMPORTERS = frozenset({Role.ORG_ADMIN, Role.MUNICIPAL_ADMIN, Role.REGIONAL_ADMIN})
SESSION_FILES = "interchange_files"


def _may_import(user) -> bool:
    scope = user_scope(user)
    return scope.is_superuser or bool(scope.roles & IMPORTERS)


def _check(request: HttpRequest) -> None:
    if not _may_import(request.user):
        raise PermissionDenied


def _registry(key: str):
    try:
        return REGISTRIES[key]
    except KeyError:
        raise Http404 from None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _check(request)
    if request.method == "POST":
        registry = request.POST.get("registry", "")
        uploaded = request.FILES.get("file")
        if registry not in REGISTRIES or uploaded is None:
            messages.error(request, _("Выберите реестр и файл."))
        else:
            try:
                name = upload_save(uploaded)
            except DomainError as error:
                messages.error(request, error.messages[0])
            else:
                request.session[SESSION_FILES] = [*request.session.get(SESSION_FILES, [])[-20:], name]
                return redirect("interchange:mapping", file=name, registry=registry)
    jobs = Job.objects.filter(kind=KIND, created_by=request.user).order_by("-pk")[:10]
    return render(request, "interchange/index.html", {"registries": REGISTRIES.values(), "jobs": jobs,
                                                      "formats": FORMATS})


@login_required
def mapping(request: HttpRequest, file: str, registry: str) -> HttpResponse:
    _check(request)
    reg = _registry(registry)
    if file not in request.session.get(SESSION_FILES, []):
        raise Http404
    try:
        header = reading.read_header(upload_path(file))
    except DomainError:
        raise Http404 from None
    except Exception:  # not a readable table
        messages.error(request, _("Файл не читается как таблица XLSX или CSV."))
        return redirect("interchange:index")
    current = auto_mapping(reg, header)
    if request.method == "POST":
        current = {}
        for index in range(len(header)):
            key = request.POST.get(f"col{index}", "")
            if key and any(c.key == key for c in reg.columns) and key not in current.values():
                current[index] = key
        try:
            job = import_start(user=request.user, file=file, registry=registry, mapping=current, dry_run=True)
        except DomainError as error:
            messages.error(request, error.messages[0])
        else:
            return redirect("interchange:job", job_id=job.pk)
    rows = [(i, title, current.get(i, "")) for i, title in enumerate(header)]
    return render(request, "interchange/mapping.html", {
        "registry": reg, "rows": rows, "missing": missing_required(reg, current), "file": file})


def _job(request: HttpRequest, job_id: int) -> Job:
    try:
        job = job_for_user(request.user, job_id)
    except Job.DoesNotExist:
        raise Http404 from None
    if job.kind != KIND:
        raise Http404
    return job


@login_required
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    _check(request)
    job_ = _job(request, job_id)
    registry = REGISTRIES.get(job_.params.get("registry"))
    return render(request, "interchange/job.html", {"job": job_, "registry": registry,
                                                    "result": job_.result or {}})


@login_required
@require_POST
def job_run_import(request: HttpRequest, job_id: int) -> HttpResponse:
    _check(request)
    preview = _job(request, job_id)
    if preview.status != Job.Status.DONE or not preview.params.get("dry_run"):
        raise Http404
    params = preview.params
    try:
        job_ = import_start(user=request.user, file=params["file"], registry=params["registry"],
                            mapping={int(k): v for k, v in params["mapping"].items()}, dry_run=False)
    except DomainError as error:
        messages.error(request, error.messages[0])
        return redirect("interchange:job", job_id=preview.pk)
    return redirect("interchange:job", job_id=job_.pk)


@login_required
def job_errors(request: HttpRequest, job_id: int, fmt: str) -> HttpResponse:
    _check(request)
    job_ = _job(request, job_id)
    if fmt not in FORMATS:
        raise Http404
    columns = [("row", _("Строка")), ("column", _("Столбец")), ("message", _("Ошибка"))]
    rows = ([e["row"], e["column"], e["message"]] for e in errors_read(job_.pk))
    return table_response(filename=_("Ошибки импорта %(id)s") % {"id": job_.pk}, columns=columns, rows=rows,
                          fmt=fmt)


@login_required
def template(request: HttpRequest, registry: str, fmt: str) -> HttpResponse:
    """An empty table with the registry's headers in the user's language (and the required ones marked)."""
    _check(request)
    reg = _registry(registry)
    if fmt not in FORMATS:
        raise Http404
    columns = [(c.key, str(c.label) + (" *" if c.required else "")) for c in reg.columns]
    return table_response(filename=str(reg.title), columns=columns, rows=[], fmt=fmt)


@login_required
def export(request: HttpRequest, registry: str, fmt: str) -> HttpResponse:
    """A registry as the user may see it, in the import's own columns (so it can be edited and loaded back); for
    every staff role (a teacher exports their own groups), scoped by ``scope_queryset``."""
    if not (request.user.is_superuser or user_scope(request.user).roles - {Role.PARENT}):
        raise PermissionDenied
    reg = _registry(registry)
    if fmt not in FORMATS:
        raise Http404
    return table_response(filename=str(reg.title), columns=reg.export_columns(request.user),
                          rows=reg.export_rows(request.user), fmt=fmt)


@login_required
def group_roster(request: HttpRequest, group_id: int, fmt: str) -> HttpResponse:
    """The active roster of one group (the inbox's «Список группы»), for the staff who see the group."""
    from kruzhok.accounts.admin_scoping import sees_personal_ids
    from kruzhok.accounts.scoping import scope_queryset
    from kruzhok.catalog.models import Group
    from kruzhok.enrollment.models import Enrollment, EnrollmentStatus
    from kruzhok.people.models import age_on

    if fmt not in FORMATS or not (user_scope(request.user).roles - {Role.PARENT} or request.user.is_superuser):
        raise Http404
    group = scope_queryset(request.user, Group.objects.select_related("programme")).filter(pk=group_id).first()
    if group is None:
        raise Http404
    enrollments = (scope_queryset(request.user, Enrollment.objects.filter(group=group, status=EnrollmentStatus.ACTIVE))
                   .select_related("child").prefetch_related("child__guardian_links__guardian")
                   .order_by("child__surname", "child__name"))
    personal = sees_personal_ids(request.user)
    columns = [("surname", _("Фамилия")), ("name", _("Имя")), ("patronymic", _("Отчество")),
               ("birth_date", _("Дата рождения")), ("age", _("Возраст")), ("start_date", _("Дата зачисления")),
               ("order_number", _("Номер приказа")), ("guardian", _("Представитель")),
               ("guardian_phone", _("Телефон представителя"))]
    if personal:
        columns.append(("national_id", _("СНИЛС / ИИН")))
    today = timezone.localdate()

    def rows():
        for e in enrollments:
            c = e.child
            link = min(c.guardian_links.all(), key=lambda lk: lk.pk, default=None)
            row = [c.surname, c.name, c.patronymic, c.birth_date, age_on(c.birth_date, today), e.start_date,
                   e.order_number, str(link.guardian) if link else "", link.guardian.phone if link else ""]
            if personal:
                row.append(c.national_id)
            yield row

    return table_response(filename=f"{group.programme.title} — {group.name}", columns=columns, rows=rows(), fmt=fmt)
