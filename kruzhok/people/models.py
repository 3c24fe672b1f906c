"""Children, their guardians, categories and personal-data consents."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Organization
from kruzhok.core.models import DateRangeQuerySet, TimeStampedModel
from kruzhok.people.validators import iin_parse, validate_snils
from kruzhok.territory.models import Municipality, Settlement

EARLIEST_BIRTH_DATE = dt.date(1990, 1, 1)


class Sex(models.TextChoices):
    MALE = "M", _("мужской")
    FEMALE = "F", _("женский")


class ChildQuerySet(models.QuerySet):
    def unmerged(self) -> ChildQuerySet:
        """Children that are not absorbed duplicates of another record: each real child once."""
        return self.filter(merged_into__isnull=True)


class Child(TimeStampedModel):
    class IdKind(models.TextChoices):
        NONE = "", _("нет")
        SNILS = "snils", _("СНИЛС")
        IIN = "iin", _("ИИН")

    surname = models.CharField(_("фамилия"), max_length=100, db_index=True)
    name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)
    sex = models.CharField(_("пол"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("дата рождения"), db_index=True)
    national_id_kind = models.CharField(_("вид идентификатора"), max_length=8, choices=IdKind.choices, blank=True)
    national_id = models.CharField(_("СНИЛС / ИИН"), max_length=14, blank=True)
    # indexed by (municipality, birth_date) in Meta
    municipality = models.ForeignKey(Municipality, verbose_name=_("муниципалитет проживания"),
                                     on_delete=models.PROTECT, related_name="children", db_index=False)
    settlement = models.ForeignKey(Settlement, verbose_name=_("населённый пункт"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="children")
    school = models.ForeignKey(Organization, verbose_name=_("школа / детский сад"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="pupils")
    school_name = models.CharField(_("школа (если нет в списке)"), max_length=300, blank=True)
    grade = models.PositiveSmallIntegerField(_("класс"), null=True, blank=True)
    phone = models.CharField(_("телефон"), max_length=32, blank=True)
    certificate_number = models.CharField(_("номер сертификата ПФДО"), max_length=32, blank=True)
    registered_by = models.ForeignKey(Organization, verbose_name=_("кем зарегистрирован"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="registered_children")
    merged_into = models.ForeignKey("self", verbose_name=_("объединён с"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="absorbed")

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("ребёнок")
        verbose_name_plural = _("дети")
        ordering = ["surname", "name"]
        indexes = [
            models.Index(fields=["municipality", "birth_date"]),
            # children registered without an identifier, by name: where an import looks for the child of a row
            # whose identifier is new (registered earlier by name only) — a handful, not every namesake
            models.Index(fields=["surname", "birth_date"], condition=Q(national_id=""), name="child_no_id_by_name"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["national_id_kind", "national_id"], condition=~Q(national_id=""),
                                    name="child_unique_national_id",
                                    violation_error_message=_("Ребёнок с таким СНИЛС / ИИН уже зарегистрирован.")),
            models.CheckConstraint(condition=Q(birth_date__gte=EARLIEST_BIRTH_DATE), name="child_birth_date_sane",
                                   violation_error_message=_("Дата рождения слишком ранняя для ребёнка.")),
            models.CheckConstraint(condition=Q(grade__isnull=True) | Q(grade__gte=0, grade__lte=12),
                                   name="child_grade_sane", violation_error_message=_("Класс — от 0 до 12.")),
            models.CheckConstraint(condition=Q(national_id="") | ~Q(national_id_kind=""), name="child_id_has_kind",
                                   violation_error_message=_("Укажите вид идентификатора: СНИЛС или ИИН.")),
            models.CheckConstraint(condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("id")),
                                   name="child_not_merged_into_self",
                                   violation_error_message=_("Запись не может быть объединена сама с собой.")),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.surname, self.name, self.patronymic) if part)

    def age_on(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.birth_date and self.birth_date > timezone.localdate():
            errors.setdefault("birth_date", []).append(_("Дата рождения не может быть в будущем."))
        if self.national_id:
            try:
                if self.national_id_kind == self.IdKind.IIN:
                    self.national_id, born, sex = iin_parse(self.national_id)
                    if self.birth_date and born != self.birth_date:
                        errors.setdefault("national_id", []).append(_("ИИН не совпадает с датой рождения."))
                    if self.sex and sex != self.sex:
                        errors.setdefault("national_id", []).append(_("ИИН не совпадает с полом ребёнка."))
                elif self.national_id_kind == self.IdKind.SNILS:
                    self.national_id = validate_snils(self.national_id)
            except ValidationError as error:
                errors.setdefault("national_id", []).extend(error.messages)
        if self.settlement_id and self.municipality_id and self.settlement.municipality_id != self.municipality_id:
            errors.setdefault("settlement", []).append(_("Населённый пункт из другого муниципалитета."))
        if errors:
            raise ValidationError(errors)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years on ``day`` (a child born on 29 February turns a year older on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class CategoryQuerySet(DateRangeQuerySet):
    start_field = "valid_from"
    end_field = "valid_to"


class ChildCategory(models.Model):
    class Kind(models.TextChoices):
        OVZ = "ovz", _("ОВЗ")
        DISABILITY = "disability", _("инвалидность")
        DIFFICULT = "tzhs", _("трудная жизненная ситуация")
        ORPHAN = "orphan", _("сирота / без попечения родителей")
        ORPHANAGE = "orphanage", _("воспитанник детского дома")
        GIFTED = "gifted", _("одарённый (индивидуальный маршрут)")

    child = models.ForeignKey(Child, verbose_name=_("ребёнок"), on_delete=models.CASCADE, related_name="categories")
    kind = models.CharField(_("категория"), max_length=20, choices=Kind.choices)
    valid_from = models.DateField(_("с"))
    valid_to = models.DateField(_("по"), null=True, blank=True)
    document = models.CharField(_("основание (документ)"), max_length=300, blank=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("категория ребёнка")
        verbose_name_plural = _("категории ребёнка")
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                                   name="category_dates_ordered",
                                   violation_error_message=_("Окончание действия категории раньше её начала.")),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Guardian(TimeStampedModel):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("учётная запись"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="guardian_profile")
    surname = models.CharField(_("фамилия"), max_length=100)
    name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)
    phone = models.CharField(_("телефон"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    children = models.ManyToManyField(Child, through="GuardianLink", verbose_name=_("дети"), related_name="guardians")

    class Meta:
        verbose_name = _("законный представитель")
        verbose_name_plural = _("законные представители")
        ordering = ["surname", "name"]

    def __str__(self) -> str:
        return " ".join(part for part in (self.surname, self.name, self.patronymic) if part)


class GuardianLink(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("мать")
        FATHER = "father", _("отец")
        GUARDIAN = "guardian", _("опекун")
        OTHER = "other", _("иной представитель")

    # indexed by the unique (guardian, child)
    guardian = models.ForeignKey(Guardian, verbose_name=_("представитель"), on_delete=models.CASCADE,
                                 related_name="links", db_index=False)
    child = models.ForeignKey(Child, verbose_name=_("ребёнок"), on_delete=models.CASCADE,
                              related_name="guardian_links")
    relation = models.CharField(_("кем приходится"), max_length=20, choices=Relation.choices)

    class Meta:
        verbose_name = _("связь с представителем")
        verbose_name_plural = _("законные представители")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "child"], name="guardian_link_unique",
                                    violation_error_message=_("Этот представитель уже связан с ребёнком.")),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} — {self.child} ({self.get_relation_display()})"


class Consent(models.Model):
    """Согласие на обработку персональных данных: who gave it, when, for what and under which text."""

    class Scope(models.TextChoices):
        ENROLLMENT = "enrollment", _("зачисление и учёт обучения")
        NAVIGATOR = "navigator", _("подача заявок через навигатор")
        PUBLICATION = "publication", _("публикация имени в результатах мероприятий")

    child = models.ForeignKey(Child, verbose_name=_("ребёнок"), on_delete=models.CASCADE, related_name="consents")
    guardian = models.ForeignKey(Guardian, verbose_name=_("кто дал согласие"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="consents")
    scope = models.CharField(_("цель обработки"), max_length=20, choices=Scope.choices)
    text_version = models.CharField(_("версия текста согласия"), max_length=32)
    given_at = models.DateTimeField(_("дано"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("отозвано"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кем записано"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("согласие на обработку ПДн")
        verbose_name_plural = _("согласия на обработку ПДн")
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                                   name="consent_dates_ordered",
                                   violation_error_message=_("Согласие не может быть отозвано раньше, чем дано.")),
        ]

    def __str__(self) -> str:
        return f"{self.child} — {self.get_scope_display()}"
