"""Duplicate children: the quick-check key of every child, candidate pairs found by the search, merges."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kruzhok.core.models import TimeStampedModel
from kruzhok.people.models import Child
from kruzhok.territory.models import Municipality


class ChildKey(models.Model):
    """The normalized name-and-birth-date key of a child (see ``normalize.stored_key``): the quick check
    before a new child is created looks it up through the index instead of scanning the children."""

    child = models.OneToOneField(Child, verbose_name=_("ребёнок"), primary_key=True, on_delete=models.CASCADE,
                                 related_name="dedup_key")
    key = models.CharField(_("ключ"), max_length=120, db_index=True)

    class Meta:
        verbose_name = _("ключ поиска дубликатов")
        verbose_name_plural = _("ключи поиска дубликатов")

    def __str__(self) -> str:
        return self.key


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("ждёт решения")
    POSTPONED = "postponed", _("отложено")
    NOT_DUPLICATE = "not_duplicate", _("не дубликат")
    MERGED = "merged", _("объединены")
    FLAGGED = "flagged", _("отмечено организацией")


UNRESOLVED = (CandidateStatus.OPEN, CandidateStatus.POSTPONED, CandidateStatus.FLAGGED)


class Candidate(TimeStampedModel):
    """A pair of children that may be one child; ``child_a`` has the lower id. A decision «not a duplicate»
    stays on the row, so later searches never propose the pair again."""

    child_a = models.ForeignKey(Child, verbose_name=_("ребёнок А"), on_delete=models.CASCADE, related_name="+")
    child_b = models.ForeignKey(Child, verbose_name=_("ребёнок Б"), on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(Municipality, verbose_name=_("муниципалитет"), on_delete=models.PROTECT,
                                     related_name="+")
    match_weight = models.FloatField(_("вес совпадения"))
    match_probability = models.FloatField(_("вероятность совпадения"))
    contributions = models.JSONField(_("вклад полей"), default=list)
    cluster = models.PositiveIntegerField(_("группа"), null=True, blank=True, db_index=True)
    status = models.CharField(_("состояние"), max_length=20, choices=CandidateStatus.choices,
                              default=CandidateStatus.OPEN, db_index=True)
    job = models.ForeignKey("core.Job", verbose_name=_("поиск"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кто решил"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("когда решено"), null=True, blank=True)
    note = models.CharField(_("примечание"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("возможный дубликат")
        verbose_name_plural = _("возможные дубликаты")
        ordering = ["-match_weight", "id"]
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="dedup_candidate_unique_pair",
                                    violation_error_message=_("Эта пара уже в очереди.")),
            models.CheckConstraint(condition=Q(child_a__lt=F("child_b")), name="dedup_candidate_ordered",
                                   violation_error_message=_("Пара записывается меньшим номером вперёд.")),
        ]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return f"{self.child_a} ↔ {self.child_b}"


class MergeRecord(models.Model):
    """One merge: who, when, with which scores, and a snapshot of every row it changed (to unmerge exactly)."""

    survivor = models.ForeignKey(Child, verbose_name=_("оставленная запись"), on_delete=models.PROTECT,
                                 related_name="+")
    absorbed = models.ForeignKey(Child, verbose_name=_("поглощённая запись"), on_delete=models.PROTECT,
                                 related_name="+")
    candidate = models.ForeignKey(Candidate, verbose_name=_("пара"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="merges")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кто объединил"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(_("когда объединено"), auto_now_add=True)
    automatic = models.BooleanField(_("автоматически"), default=False)
    match_weight = models.FloatField(_("вес совпадения"), null=True, blank=True)
    match_probability = models.FloatField(_("вероятность совпадения"), null=True, blank=True)
    chosen = models.JSONField(_("выбранные значения"), default=dict, encoder=DjangoJSONEncoder)
    snapshot = models.JSONField(_("снимок изменённых строк"), default=dict, encoder=DjangoJSONEncoder)
    unmerged_at = models.DateTimeField(_("когда разъединено"), null=True, blank=True)
    unmerged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кто разъединил"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("объединение записей")
        verbose_name_plural = _("история объединений")
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.survivor_id}"
