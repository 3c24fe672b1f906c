"""Ordering, generating and publishing reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kruzhok.catalog.models import Organization
from kruzhok.core.errors import DomainError
from kruzhok.core.jobs import Progress, job_start
from kruzhok.core.models import Country, Job
from kruzhok.core.services import audit_record
from kruzhok.reports.models import GeneratedReport
from kruzhok.reports.registry import BuildContext, template_get
from kruzhok.reports.selectors import report_territories, report_territory_allowed
from kruzhok.reports.to_docx import docx_render
from kruzhok.reports.to_pdf import pdf_render
from kruzhok.reports.to_xlsx import xlsx_render
from kruzhok.territory.models import Municipality, Region

FORMATS = ("docx", "pdf", "xlsx")
RENDERERS = {"docx": docx_render, "pdf": pdf_render, "xlsx": xlsx_render}


def _placement(territory: Any) -> dict:
    if isinstance(territory, Organization):
        return {"organization": territory, "municipality": territory.municipality,
                "region": territory.municipality.region}
    if isinstance(territory, Municipality):
        return {"municipality": territory, "region": territory.region}
    if isinstance(territory, Region):
        return {"region": territory}
    raise DomainError(_("Отчёт строится по организации, муниципалитету или региону."))


def report_order(*, actor: Any, template: str, territory: Any, start: dt.date, end: dt.date, language: str = "ru",
                 texts: dict[str, str] | None = None, schedule: str = "") -> GeneratedReport:
    """Record the order and start its generation in the background; refuses a territory outside the actor's scope.

    ``actor=None`` is the scheduler (no person: every territory)."""
    spec = template_get(template)
    if end < start:
        raise DomainError(_("Конец периода раньше его начала."))
    if actor is not None and not report_territory_allowed(actor, level=spec.level, territory=territory):
        raise DomainError(_("Этот отчёт по этой территории вам недоступен."))
    with transaction.atomic():
        report = _report_create(spec=spec, territory=territory, start=start, end=end, language=language, texts=texts,
                                author=actor, schedule=schedule)
        report.job = job_start(kind="reports.generate", params={"report": report.pk}, actor=actor)
        report.save(update_fields=["job"])
        audit_record(actor=actor, action="reports.order", obj=report, template=spec.code,
                     period=[start.isoformat(), end.isoformat()], language=language)
    return report


def _report_create(*, spec, territory: Any, start: dt.date, end: dt.date, language: str, texts: dict | None,
                   author: Any, schedule: str, job: Job | None = None) -> GeneratedReport:
    allowed_texts = {key for key, _label in spec.texts}
    report = GeneratedReport(
        template=spec.code, **_placement(territory), period_start=start, period_end=end, language=language,
        author=author, schedule=schedule, job=job,
        parameters={"texts": {k: v for k, v in (texts or {}).items() if k in allowed_texts and v}})
    report.full_clean()
    report.save()
    return report


def report_scheduled_run(*, template: str, start: dt.date, end: dt.date, schedule: str, job: Job,
                         languages: list[str] | None = None,
                         progress: Progress | None = None) -> list[GeneratedReport]:
    """Generate ``template`` for every territory of its level (every municipality, every region) into the archive,
    in ``languages`` (default: Russian, and Kazakh first in Kazakhstan)."""
    spec = template_get(template)
    territories = list(report_territories(user=None, level=spec.level, everything=True).order_by("pk"))
    plan = [(territory, language) for territory in territories
            for language in (languages or _languages(_placement(territory)["region"]))]
    made: list[GeneratedReport] = []
    total = len(plan)
    for territory, language in plan:
        report = _report_create(spec=spec, territory=territory, start=start, end=end, language=language, texts=None,
                                author=None, schedule=schedule, job=job)
        report_generate(report=report)
        made.append(report)
        if progress is not None:
            progress(len(made), total=total, message=str(territory))
    return made


def _languages(region: Region) -> list[str]:
    return ["kk", "ru"] if region.country == Country.KAZAKHSTAN else ["ru"]


def report_generate(*, report: GeneratedReport, progress: Progress | None = None) -> GeneratedReport:
    """Build the document from the selectors in the report's language and write the three files."""
    spec = template_get(report.template)
    step = _stepper(progress, total=1 + len(FORMATS))
    with translation.override(report.language):
        step(0, _("Сбор данных"))
        context = BuildContext(territory=report.territory, start=report.period_start, end=report.period_end,
                               texts=dict(report.parameters.get("texts", {})), language=report.language)
        read_at = timezone.now()
        document = spec.build(context)
        files = {}
        for done, fmt in enumerate(FORMATS, start=1):
            step(done, _("Формирование %(format)s") % {"format": fmt.upper()})
            files[fmt] = RENDERERS[fmt](document)
    stem = (f"{report.template}_{report.territory_code}_{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}_"
            f"{report.language}")
    with transaction.atomic():
        for fmt, content in files.items():
            old = getattr(report, fmt)
            if old:
                old.delete(save=False)
            getattr(report, fmt).save(f"{stem}.{fmt}", ContentFile(content), save=False)
        report.title = document.title[:500]
        report.data_at = document.data_at or read_at
        report.save(update_fields=["title", "data_at", *FORMATS])
    step(1 + len(FORMATS), _("Готово"))
    return report


def _stepper(progress: Progress | None, *, total: int):
    def step(done: int, message: str) -> None:
        if progress is not None:
            progress(done, total=total, message=message, force=True)
    return step


def report_publish(*, actor: Any, report: GeneratedReport, public: bool = True) -> GeneratedReport:
    """Show (or hide) the report's files on the public site. Reports hold aggregates only, never personal data."""
    from kruzhok.accounts.scoping import can_change

    if not can_change(actor, report):
        raise DomainError(_("Публиковать этот отчёт вам нельзя."))
    if public and not report.is_ready:
        raise DomainError(_("Отчёт ещё не сформирован."))
    with transaction.atomic():
        report.is_public = public
        report.published_at = timezone.now() if public else None
        report.save(update_fields=["is_public", "published_at"])
        audit_record(actor=actor, action="reports.publish" if public else "reports.unpublish", obj=report)
    return report
