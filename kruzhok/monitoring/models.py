"""Precomputed coverage figures: one snapshot per reference date, cells at a summable grain.

Why this shape (see also ``aggregates.py``): unique children cannot be added up across a dimension in which
one child can sit in several values at once (a child in an artistic and a technical club counts once in the
total but once in each direction). The attributes of the *child* — municipality of residence, full age on the
date, sex, rural/urban residence — have exactly one value per child, so cells keyed by them add up exactly
to any territory, age band or sex. The multi-valued dimensions — direction, organization type, category —
are stored as a cube with an "all" marker (``direction`` NULL, ``org_type`` "", ``category`` ""): a cell with
``direction=NULL`` counts each child once whatever the directions of their clubs, a cell with ``direction=d``
counts the children with at least one enrollment in ``d``. A reader picks the marker instead of summing
across those dimensions, so every figure of ``selectors`` is exact from the cells.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Direction
from kruzhok.territory.models import Municipality


class CoverageSnapshot(models.Model):
    """The precomputed coverage of one reference date (every municipality)."""

    on = models.DateField(_("на дату"), unique=True)
    computed_at = models.DateTimeField(_("рассчитано"))
    duration_s = models.FloatField(_("время расчёта, с"), default=0)

    class Meta:
        verbose_name = _("срез охвата")
        verbose_name_plural = _("срезы охвата")
        ordering = ["-on"]

    def __str__(self) -> str:
        return f"{self.on:%d.%m.%Y} ({self.computed_at:%d.%m.%Y %H:%M})"


class CoverageAggregate(models.Model):
    """Children and enrollments of one cell on the snapshot's date (see the module docstring)."""

    snapshot = models.ForeignKey(CoverageSnapshot, verbose_name=_("срез"), on_delete=models.CASCADE,
                                 related_name="cells")
    municipality = models.ForeignKey(Municipality, verbose_name=_("муниципалитет"), on_delete=models.CASCADE,
                                     related_name="+")
    age = models.PositiveSmallIntegerField(_("возраст"))
    sex = models.CharField(_("пол"), max_length=1)
    rural = models.BooleanField(_("сельский"), null=True)
    direction = models.ForeignKey(Direction, verbose_name=_("направленность"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+",
                                  help_text=_("Пусто — все направленности."))
    org_type = models.CharField(_("тип организации"), max_length=20, blank=True,
                                help_text=_("Пусто — все типы организаций."))
    category = models.CharField(_("категория ребёнка"), max_length=20, blank=True,
                                help_text=_("Пусто — все дети."))
    children = models.PositiveIntegerField(_("детей"))
    enrollments = models.PositiveIntegerField(_("зачислений"))
    computed_at = models.DateTimeField(_("рассчитано"))

    class Meta:
        verbose_name = _("ячейка охвата")
        verbose_name_plural = _("ячейки охвата")
        # The slices the dashboard reads (see selectors._slice): each a few thousand rows of a snapshot.
        indexes = [
            models.Index(fields=["snapshot", "municipality"]),
            models.Index(fields=["snapshot", "age"], name="coverage_cell_all",
                         condition=Q(direction__isnull=True, org_type="", category="")),
            models.Index(fields=["snapshot", "direction", "age"], name="coverage_cell_direction",
                         condition=Q(direction__isnull=False, org_type="", category="")),
            models.Index(fields=["snapshot", "org_type", "age"], name="coverage_cell_org_type",
                         condition=Q(direction__isnull=True, category="") & ~Q(org_type="")),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.age}/{self.sex}: {self.children}"
