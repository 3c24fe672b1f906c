"""The archive of generated reports: what was asked (template × territory × period × language × free texts),
by whom, when, on data of which moment, and the files in each format."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Organization
from kruzhok.core.models import Job
from kruzhok.territory.models import Municipality, Region


def _upload_to(instance: GeneratedReport, filename: str) -> str:
    return f"reports/{instance.created_at:%Y/%m}/{filename}"


class GeneratedReport(models.Model):
    class Format(models.TextChoices):
        DOCX = "docx", "DOCX"
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    template = models.CharField(_("шаблон"), max_length=40, db_index=True)
    title = models.CharField(_("заголовок"), max_length=500, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("регион"), on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(Municipality, verbose_name=_("муниципалитет"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, verbose_name=_("организация"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("начало периода"))
    period_end = models.DateField(_("конец периода"))
    language = models.CharField(_("язык"), max_length=8, choices=settings.LANGUAGES, default="ru")
    parameters = models.JSONField(_("параметры"), default=dict, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("автор"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    schedule = models.CharField(_("расписание"), max_length=100, blank=True,
                                help_text=_("Имя расписания, если отчёт сформирован автоматически."))
    created_at = models.DateTimeField(_("заказан"), auto_now_add=True, db_index=True)
    data_at = models.DateTimeField(_("данные на момент"), null=True, blank=True)
    job = models.ForeignKey(Job, verbose_name=_("фоновая работа"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    docx = models.FileField(_("файл DOCX"), upload_to=_upload_to, blank=True)
    pdf = models.FileField(_("файл PDF"), upload_to=_upload_to, blank=True)
    xlsx = models.FileField(_("файл XLSX"), upload_to=_upload_to, blank=True)
    is_public = models.BooleanField(_("опубликован"), default=False)
    published_at = models.DateTimeField(_("опубликован"), null=True, blank=True)

    class Meta:
        verbose_name = _("сформированный отчёт")
        verbose_name_plural = _("архив отчётов")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="report_period_ordered",
                                   violation_error_message=_("Конец периода раньше его начала.")),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.template} {self.period_start}–{self.period_end}"

    @property
    def territory(self) -> Organization | Municipality | Region:
        return self.organization or self.municipality or self.region

    @property
    def territory_code(self) -> str:
        if self.organization_id:
            return f"org{self.organization_id}"
        return self.municipality.code if self.municipality_id else self.region.code

    @property
    def is_ready(self) -> bool:
        return bool(self.docx or self.pdf or self.xlsx)

    def file_for(self, fmt: str):
        return getattr(self, fmt) if fmt in self.Format.values else None
