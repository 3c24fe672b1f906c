"""Reports pages: order and archive (/reports/), one report with its progress, downloads, publishing, and the
public list of published reports (/reports/public/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kruzhok.core.errors import DomainError
from kruzhok.reports.forms import ReportOrderForm
from kruzhok.reports.models import GeneratedReport
from kruzhok.reports.registry import TEMPLATES
from kruzhok.reports.selectors import report_archive, report_public_list
from kruzhok.reports.services import report_order, report_publish

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Who: admins of a region, a municipality or an organization (the form offers only their territories);
    anyone else signed in is sent to the published reports."""
    form = ReportOrderForm(request.POST or None, user=request.user)
    if not form.may_order:
        return redirect("reports:public")  # a teacher or a parent: the published reports
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = report_order(actor=request.user, template=data["template"], territory=data["territory_object"],
                                  start=data["start"], end=data["end"], language=data["language"],
                                  texts=data["texts"])
        except DomainError as error:
            form.add_error(None, error.messages[0])
        else:
            return redirect("reports:detail", report.pk)
    archive = report_archive(user=request.user)[:100]
    return render(request, "reports/index.html", {"form": form, "archive": archive, "templates": TEMPLATES})


@login_required
def detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(report_archive(user=request.user), pk=report_id)
    return render(request, "reports/detail.html", {"report": report, "spec": TEMPLATES.get(report.template)})


@login_required
def download(request: HttpRequest, report_id: int, fmt: str) -> FileResponse:
    report = get_object_or_404(report_archive(user=request.user), pk=report_id)
    return _file(report, fmt)


@login_required
@require_POST
def publish(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(report_archive(user=request.user), pk=report_id)
    try:
        report_publish(actor=request.user, report=report, public=request.POST.get("public") == "1")
    except DomainError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Отчёт опубликован на сайте.") if report.is_public
                         else _("Отчёт снят с публикации."))
    return redirect("reports:detail", report.pk)


def public_list(request: HttpRequest) -> HttpResponse:
    """Who: anyone. Published reports hold aggregates only."""
    return render(request, "reports/public.html", {"reports": report_public_list(), "templates": TEMPLATES})


def public_download(request: HttpRequest, report_id: int, fmt: str) -> FileResponse:
    return _file(get_object_or_404(report_public_list(), pk=report_id), fmt)


def _file(report: GeneratedReport, fmt: str) -> FileResponse:
    field = report.file_for(fmt)
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1],
                        content_type=CONTENT_TYPES[fmt])
