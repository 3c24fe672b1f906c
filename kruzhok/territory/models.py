from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kruzhok.core.models import Country, TranslatedNameMixin


class Region(TranslatedNameMixin):
    code = models.CharField(_("код"), max_length=16, unique=True)
    country = models.CharField(_("страна"), max_length=2, choices=Country.choices, default=Country.RUSSIA)

    class Meta:
        verbose_name = _("регион")
        verbose_name_plural = _("регионы")
        ordering = ["name"]


class Municipality(TranslatedNameMixin):
    class Kind(models.TextChoices):
        URBAN_OKRUG = "urban_okrug", _("городской округ")
        MUNICIPAL_DISTRICT = "district", _("муниципальный район")
        MUNICIPAL_OKRUG = "municipal_okrug", _("муниципальный округ")
        CITY = "city", _("город")

    region = models.ForeignKey(
        Region, verbose_name=_("регион"), on_delete=models.PROTECT, related_name="municipalities"
    )
    code = models.CharField(_("код"), max_length=16, unique=True)
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, default=Kind.URBAN_OKRUG)

    class Meta:
        verbose_name = _("муниципалитет")
        verbose_name_plural = _("муниципалитеты")
        ordering = ["name"]


class Settlement(TranslatedNameMixin):
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("муниципалитет"), on_delete=models.PROTECT, related_name="settlements"
    )
    is_rural = models.BooleanField(_("сельский"), default=False)

    class Meta:
        verbose_name = _("населённый пункт")
        verbose_name_plural = _("населённые пункты")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="settlement_unique_name",
                                    violation_error_message=_("Такой населённый пункт в муниципалитете уже есть.")),
        ]


class Population(models.Model):
    """Resident children of one single year of age in a municipality, for one year: the coverage denominator."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("муниципалитет"), on_delete=models.CASCADE, related_name="population"
    )
    year = models.PositiveSmallIntegerField(_("год"))
    age = models.PositiveSmallIntegerField(_("возраст, полных лет"))
    count = models.PositiveIntegerField(_("число детей"))

    class Meta:
        verbose_name = _("численность детей")
        verbose_name_plural = _("численность детей по возрастам")
        ordering = ["municipality", "year", "age"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year", "age"], name="population_unique_cell",
                                    violation_error_message=_("Численность для этого года и возраста уже введена.")),
            models.CheckConstraint(condition=Q(age__lte=17), name="population_age_child",
                                   violation_error_message=_("Возраст должен быть от 0 до 17 лет.")),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="population_year_sane",
                                   violation_error_message=_("Год должен быть между 2000 и 2100.")),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}: {self.age} — {self.count}"
