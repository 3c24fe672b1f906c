"""Applications (with their full status history) and enrollments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Group
from kruzhok.core.models import DateRangeQuerySet, TimeStampedModel, TranslatedNameMixin
from kruzhok.people.models import Child


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("подана")
    UNDER_REVIEW = "under_review", _("на рассмотрении")
    INVITED = "invited", _("приглашён")
    WAITLISTED = "waitlisted", _("в очереди")
    ENROLLED = "enrolled", _("зачислен")
    REJECTED = "rejected", _("отклонена")
    WITHDRAWN = "withdrawn", _("отозвана")
    EXPIRED = "expired", _("истекла")


OPEN_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.INVITED,
    ApplicationStatus.WAITLISTED,
)

# Which status may follow which: the workflow of DESIGN.md.
TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.SUBMITTED: frozenset({ApplicationStatus.UNDER_REVIEW, ApplicationStatus.INVITED,
                                            ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED,
                                            ApplicationStatus.WITHDRAWN, ApplicationStatus.EXPIRED,
                                            ApplicationStatus.ENROLLED}),
    ApplicationStatus.UNDER_REVIEW: frozenset({ApplicationStatus.INVITED, ApplicationStatus.WAITLISTED,
                                               ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN,
                                               ApplicationStatus.EXPIRED, ApplicationStatus.ENROLLED}),
    ApplicationStatus.INVITED: frozenset({ApplicationStatus.ENROLLED, ApplicationStatus.REJECTED,
                                          ApplicationStatus.WITHDRAWN, ApplicationStatus.EXPIRED}),
    ApplicationStatus.WAITLISTED: frozenset({ApplicationStatus.INVITED, ApplicationStatus.ENROLLED,
                                             ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN,
                                             ApplicationStatus.EXPIRED}),
    ApplicationStatus.ENROLLED: frozenset(),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
    ApplicationStatus.EXPIRED: frozenset(),
}


class RejectReason(TranslatedNameMixin):
    code = models.SlugField(_("код"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("причина отказа")
        verbose_name_plural = _("причины отказа")
        ordering = ["name"]


class Application(TimeStampedModel):
    class Channel(models.TextChoices):
        NAVIGATOR = "navigator", _("навигатор")
        ORGANIZATION = "organization", _("в организации")
        IMPORT = "import", _("импорт")

    child = models.ForeignKey(Child, verbose_name=_("ребёнок"), on_delete=models.PROTECT, related_name="applications")
    # group and status: indexed together by (group, status, submitted_at) in Meta
    group = models.ForeignKey(Group, verbose_name=_("группа"), on_delete=models.PROTECT, related_name="applications",
                              db_index=False)
    channel = models.CharField(_("канал"), max_length=20, choices=Channel.choices, default=Channel.NAVIGATOR)
    submitted_at = models.DateTimeField(_("подана"), default=timezone.now, db_index=True)
    status = models.CharField(_("статус"), max_length=20, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    status_changed_at = models.DateTimeField(_("статус изменён"), default=timezone.now)
    answer_due_at = models.DateTimeField(_("ответить до"), null=True, blank=True)
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    reject_reason = models.ForeignKey(RejectReason, verbose_name=_("причина отказа"), null=True, blank=True,
                                      on_delete=models.PROTECT)
    comment = models.TextField(_("комментарий"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кем подана"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    idempotency_key = models.CharField(_("ключ идемпотентности"), max_length=64, null=True, blank=True, unique=True)
    lottery_rank = models.PositiveIntegerField(_("место по жеребьёвке"), null=True, blank=True)

    class Meta:
        verbose_name = _("заявка")
        verbose_name_plural = _("заявки")
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["group", "status", "submitted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "group"], condition=Q(status__in=OPEN_STATUSES), name="application_one_open_per_group",
                violation_error_message=_("У ребёнка уже есть незакрытая заявка в эту группу."),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | Q(reject_reason__isnull=False), name="application_reject_has_reason",
                violation_error_message=_("Укажите причину отказа."),
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_at__gte=F("submitted_at")),
                name="application_decided_after_submitted",
                violation_error_message=_("Решение не может быть раньше подачи заявки."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} → {self.group} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class LotteryDraw(models.Model):
    """A seeded draw ordering the applications received in a group's opening window.

    The order is reproducible by anyone with the seed: applications are sorted by
    ``sha256(f"{seed}:{application_id}")`` (see ``enrollment.lottery``).
    """

    group = models.ForeignKey(Group, verbose_name=_("группа"), on_delete=models.PROTECT, related_name="lottery_draws")
    seed = models.CharField(_("зерно жеребьёвки"), max_length=64)
    window_start = models.DateTimeField(_("окно: с"))
    window_end = models.DateTimeField(_("окно: до"))
    drawn_at = models.DateTimeField(_("проведена"), default=timezone.now)
    order = models.JSONField(_("порядок заявок"), default=list)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кто провёл"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("жеребьёвка")
        verbose_name_plural = _("жеребьёвки")
        ordering = ["-drawn_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "window_start"], name="lottery_once_per_window",
                                    violation_error_message=_("Жеребьёвка для этого окна уже проведена.")),
        ]

    def __str__(self) -> str:
        return f"{self.group} — {self.drawn_at:%Y-%m-%d %H:%M}"


class ApplicationStatusChange(models.Model):
    application = models.ForeignKey(Application, verbose_name=_("заявка"), on_delete=models.CASCADE,
                                    related_name="history")
    from_status = models.CharField(_("было"), max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("стало"), max_length=20, choices=ApplicationStatus.choices)
    at = models.DateTimeField(_("время"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кто"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("примечание"), blank=True)
    notified_at = models.DateTimeField(_("семья уведомлена"), null=True, blank=True)

    class Meta:
        verbose_name = _("изменение статуса заявки")
        verbose_name_plural = _("история заявки")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["id"], condition=Q(notified_at__isnull=True), name="status_change_unsent")]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("обучается")
    COMPLETED = "completed", _("окончил обучение")
    TRANSFERRED = "transferred", _("переведён")
    EXPELLED = "expelled", _("отчислен")


class FundingSource(models.TextChoices):
    BUDGET = "budget", _("бюджет")
    PAID = "paid", _("платные услуги")
    CERTIFICATE = "certificate", _("сертификат ПФДО")
    STATE_ORDER = "state_order", _("государственный заказ")


class EnrollmentQuerySet(DateRangeQuerySet):
    def active(self) -> EnrollmentQuerySet:
        return self.filter(status=EnrollmentStatus.ACTIVE)


class Enrollment(TimeStampedModel):
    """A child in a group from a date to a date. Active rows count against the group's capacity
    (the ``enrollment`` triggers keep ``Group.enrolled_count``; its check constraint refuses overbooking)."""

    # child, group and status: indexed by (group, status) and (child, status) in Meta
    child = models.ForeignKey(Child, verbose_name=_("ребёнок"), on_delete=models.PROTECT, related_name="enrollments",
                              db_index=False)
    group = models.ForeignKey(Group, verbose_name=_("группа"), on_delete=models.PROTECT, related_name="enrollments",
                              db_index=False)
    application = models.OneToOneField(Application, verbose_name=_("заявка"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="enrollment")
    status = models.CharField(_("статус"), max_length=20, choices=EnrollmentStatus.choices,
                              default=EnrollmentStatus.ACTIVE)
    start_date = models.DateField(_("дата зачисления"))
    end_date = models.DateField(_("дата окончания"), null=True, blank=True)
    order_number = models.CharField(_("номер приказа"), max_length=64, blank=True)
    funding_source = models.CharField(_("источник финансирования"), max_length=20, choices=FundingSource.choices,
                                      default=FundingSource.BUDGET)
    end_reason = models.CharField(_("причина окончания"), max_length=300, blank=True)
    previous = models.OneToOneField("self", verbose_name=_("предыдущее зачисление (перевод)"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="next")

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("зачисление")
        verbose_name_plural = _("зачисления")
        ordering = ["-start_date", "id"]
        indexes = [models.Index(fields=["group", "status"]), models.Index(fields=["child", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "group"], condition=Q(status="active"), name="enrollment_one_active_per_group",
                violation_error_message=_("Ребёнок уже зачислен в эту группу."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="enrollment_dates_ordered",
                violation_error_message=_("Дата окончания обучения раньше даты зачисления."),
            ),
            models.CheckConstraint(
                condition=Q(status="active") | Q(end_date__isnull=False), name="enrollment_ended_has_end_date",
                violation_error_message=_("У завершённого обучения должна быть дата окончания."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} — {self.group}"
