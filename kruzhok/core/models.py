"""Shared building blocks: timestamps, the audit log, date-range querysets, translated names."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    RUSSIA = "RU", _("Россия")
    KAZAKHSTAN = "KZ", _("Казахстан")


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        abstract = True


class TranslatedNameMixin(models.Model):
    """A name in Russian plus optional Kazakh and English versions, with fallback to Russian."""

    name = models.CharField(_("название"), max_length=255)
    name_kk = models.CharField(_("название (қаз.)"), max_length=255, blank=True)
    name_en = models.CharField(_("название (англ.)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def localized_name(self, language: str | None = None) -> str:
        language = (language or translation.get_language() or "ru")[:2]
        if language == "kk" and self.name_kk:
            return self.name_kk
        if language == "en" and self.name_en:
            return self.name_en
        return self.name

    def __str__(self) -> str:
        return self.localized_name()


class DateRangeQuerySet(models.QuerySet):
    """Rows valid on a day: ``start_field <= day`` and (``end_field`` is empty or ``>= day``)."""

    start_field = "start_date"
    end_field = "end_date"

    def on_day(self, day: dt.date) -> DateRangeQuerySet:
        return self.filter(
            models.Q(**{f"{self.start_field}__lte": day}),
            models.Q(**{f"{self.end_field}__isnull": True}) | models.Q(**{f"{self.end_field}__gte": day}),
        )

    def within_dates(self, start: dt.date, end: dt.date) -> DateRangeQuerySet:
        """Rows overlapping the closed interval [start, end]."""
        return self.filter(
            models.Q(**{f"{self.start_field}__lte": end}),
            models.Q(**{f"{self.end_field}__isnull": True}) | models.Q(**{f"{self.end_field}__gte": start}),
        )


class AuditLog(models.Model):
    """Who did what to which object, written inside the same transaction as the change."""

    at = models.DateTimeField(_("время"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("действие"), max_length=64, db_index=True)
    object_type = models.CharField(_("тип объекта"), max_length=64)
    object_id = models.CharField(_("идентификатор объекта"), max_length=64)
    data = models.JSONField(_("данные"), default=dict, blank=True)

    class Meta:
        verbose_name = _("запись журнала")
        verbose_name_plural = _("журнал действий")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class Job(TimeStampedModel):
    """A long piece of background work (an import, a duplicate search, a report, an aggregates refresh).

    The page that started it polls :func:`kruzhok.core.views.job_status` and shows ``done`` of ``total``.
    ``kind`` names a handler registered with :func:`kruzhok.core.jobs.job_handler`; ``params`` are its
    JSON arguments; ``result`` is what it returned. Only ``kruzhok.core.jobs`` changes these rows.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        RUNNING = "running", _("выполняется")
        DONE = "done", _("готово")
        FAILED = "failed", _("ошибка")

    kind = models.CharField(_("вид работы"), max_length=64, db_index=True)
    params = models.JSONField(_("параметры"), default=dict, blank=True)
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    done = models.PositiveBigIntegerField(_("сделано"), default=0)
    total = models.PositiveBigIntegerField(_("всего"), null=True, blank=True)
    message = models.CharField(_("этап"), max_length=300, blank=True)
    result = models.JSONField(_("результат"), null=True, blank=True)
    error = models.TextField(_("ошибка"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    state = models.JSONField(_("точка возобновления"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кто запустил"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(_("начато"), null=True, blank=True)
    finished_at = models.DateTimeField(_("закончено"), null=True, blank=True)

    class Meta:
        verbose_name = _("фоновая работа")
        verbose_name_plural = _("фоновые работы")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int | None:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ScheduleRun(models.Model):
    """One run of a periodic job for one period (see :mod:`kruzhok.core.schedule`): the unique pair makes
    each schedule start once per week, month or quarter, however many schedulers tick."""

    name = models.CharField(_("расписание"), max_length=100)
    period = models.CharField(_("период"), max_length=20)
    started_at = models.DateTimeField(_("запущено"), default=timezone.now)
    job = models.ForeignKey(Job, verbose_name=_("фоновая работа"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")

    class Meta:
        verbose_name = _("запуск по расписанию")
        verbose_name_plural = _("запуски по расписанию")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="schedule_run_once_per_period")]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"
