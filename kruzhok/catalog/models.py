"""Organizations, venues, directions, programmes, groups and teachers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kruzhok.core.models import Country, TimeStampedModel, TranslatedNameMixin
from kruzhok.territory.models import Municipality, Settlement

MAX_CHILD_AGE = 18


class Direction(TranslatedNameMixin):
    """A направленность / бағыт: a per-country dictionary loaded from ``catalog/data/directions.json``."""

    country = models.CharField(_("страна"), max_length=2, choices=Country.choices)
    code = models.SlugField(_("код"), max_length=40)
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    is_profile = models.BooleanField(
        _("профиль"),
        default=False,
        help_text=_("Считается отдельно, где регион так ведёт учёт (военно-патриотический)."),
    )

    class Meta:
        verbose_name = _("направленность")
        verbose_name_plural = _("направленности")
        ordering = ["country", "order"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="direction_unique_code",
                                    violation_error_message=_("Направленность с таким кодом в этой стране уже есть.")),
        ]


class Organization(TimeStampedModel):
    class Type(models.TextChoices):
        SUPPLEMENTARY = "supplementary", _("организация дополнительного образования")
        SCHOOL = "school", _("общеобразовательная организация")
        KINDERGARTEN = "kindergarten", _("дошкольная организация")
        CULTURE = "culture", _("организация культуры")
        SPORT = "sport", _("спортивная организация")
        PRIVATE = "private", _("частная организация")
        ENTREPRENEUR = "entrepreneur", _("индивидуальный предприниматель")
        OTHER = "other", _("иная организация")

    class Subtype(models.TextChoices):
        NONE = "", _("—")
        HOUSE_OF_CREATIVITY = "ddt", _("дом (центр) детского творчества")
        PALACE = "palace", _("дворец школьников")
        YOUNG_TECHNICIANS = "syut", _("станция юных техников")
        YOUNG_NATURALISTS = "syun", _("станция юных натуралистов")
        TECHNOPARK = "technopark", _("детский технопарк")
        ART_SCHOOL = "art_school", _("детская школа искусств")
        SPORT_SCHOOL = "sport_school", _("детско-юношеская спортивная школа")

    class Ownership(models.TextChoices):
        MUNICIPAL = "municipal", _("муниципальная")
        REGIONAL = "regional", _("региональная")
        FEDERAL = "federal", _("федеральная (республиканская)")
        PRIVATE = "private", _("частная")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("муниципалитет"), on_delete=models.PROTECT, related_name="organizations"
    )
    name = models.CharField(_("полное название"), max_length=500)
    short_name = models.CharField(_("краткое название"), max_length=200)
    tax_id = models.CharField(_("ИНН / БИН"), max_length=12, unique=True, null=True, blank=True)
    org_type = models.CharField(_("тип"), max_length=20, choices=Type.choices, db_index=True)
    subtype = models.CharField(_("вид"), max_length=20, choices=Subtype.choices, blank=True)
    ownership = models.CharField(_("форма собственности"), max_length=20, choices=Ownership.choices,
                                 default=Ownership.MUNICIPAL)
    licence_number = models.CharField(_("номер лицензии"), max_length=64, blank=True)
    licence_date = models.DateField(_("дата лицензии"), null=True, blank=True)
    address = models.CharField(_("адрес"), max_length=500, blank=True)
    phone = models.CharField(_("телефон"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("сайт"), blank=True)
    is_active = models.BooleanField(_("действует"), default=True)
    answer_deadline_days = models.PositiveSmallIntegerField(
        _("срок ответа на заявку, рабочих дней"), default=7,
        help_text=_("Сколько рабочих дней у организации на ответ по заявке."),
    )

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name

    @property
    def has_licence(self) -> bool:
        return bool(self.licence_number)


class Venue(models.Model):
    """An address where classes take place; groups of other organizations may use it (shared infrastructure)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("организация-владелец"), on_delete=models.CASCADE, related_name="venues"
    )
    name = models.CharField(_("название"), max_length=255)
    settlement = models.ForeignKey(Settlement, verbose_name=_("населённый пункт"), on_delete=models.PROTECT)
    address = models.CharField(_("адрес"), max_length=500)
    is_accessible = models.BooleanField(_("доступная среда"), default=False)

    class Meta:
        verbose_name = _("площадка")
        verbose_name_plural = _("площадки")
        ordering = ["organization", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.address}"


class Programme(TimeStampedModel):
    class Level(models.TextChoices):
        INTRODUCTORY = "introductory", _("ознакомительный (стартовый)")
        BASIC = "basic", _("базовый")
        ADVANCED = "advanced", _("углублённый")

    class Form(models.TextChoices):
        IN_PERSON = "in_person", _("очная")
        REMOTE = "remote", _("дистанционная")
        BLENDED = "blended", _("смешанная")

    class Funding(models.TextChoices):
        FREE = "free", _("бесплатно (бюджет)")
        PAID = "paid", _("платно")
        CERTIFICATE = "certificate", _("сертификат ПФДО")
        STATE_ORDER = "state_order", _("государственный заказ (ваучер)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("черновик")
        PUBLISHED = "published", _("опубликована")
        ARCHIVED = "archived", _("в архиве")

    organization = models.ForeignKey(
        Organization, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="programmes"
    )
    code = models.CharField(_("код"), max_length=64, blank=True,
                            help_text=_("Номер программы в навигаторе или реестре."))
    title = models.CharField(_("название"), max_length=500)
    title_kk = models.CharField(_("название (қаз.)"), max_length=500, blank=True)
    title_en = models.CharField(_("название (англ.)"), max_length=500, blank=True)
    description = models.TextField(_("описание"), blank=True)
    description_kk = models.TextField(_("описание (қаз.)"), blank=True)
    description_en = models.TextField(_("описание (англ.)"), blank=True)
    direction = models.ForeignKey(Direction, verbose_name=_("направленность"), on_delete=models.PROTECT)
    level = models.CharField(_("уровень"), max_length=20, choices=Level.choices, default=Level.INTRODUCTORY)
    age_from = models.PositiveSmallIntegerField(_("возраст от"))
    age_to = models.PositiveSmallIntegerField(_("возраст до"))
    hours = models.PositiveSmallIntegerField(_("объём, часов"))
    duration_months = models.PositiveSmallIntegerField(_("срок, месяцев"), default=9)
    form = models.CharField(_("форма обучения"), max_length=20, choices=Form.choices, default=Form.IN_PERSON)
    is_network = models.BooleanField(_("сетевая форма"), default=False)
    network_partners = models.ManyToManyField(
        Organization, verbose_name=_("сетевые партнёры"), blank=True, related_name="partner_programmes"
    )
    adapted_ovz = models.BooleanField(_("адаптированная для детей с ОВЗ"), default=False)
    for_gifted = models.BooleanField(_("для одарённых детей"), default=False)
    for_difficult_situation = models.BooleanField(_("для детей в трудной жизненной ситуации"), default=False)
    is_summer_shift = models.BooleanField(_("летняя (профильная) смена"), default=False)
    funding = models.CharField(_("финансирование"), max_length=20, choices=Funding.choices, default=Funding.FREE)
    price = models.DecimalField(_("стоимость, руб. в месяц"), max_digits=10, decimal_places=2, null=True, blank=True)
    certificate_hour_cost = models.DecimalField(
        _("стоимость часа по сертификату"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    is_socially_significant = models.BooleanField(_("социально значимая"), default=False)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)

    class Meta:
        verbose_name = _("программа")
        verbose_name_plural = _("программы")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_from__lte=F("age_to")) & Q(age_to__lte=MAX_CHILD_AGE),
                name="programme_ages_sane",
                violation_error_message=_("Возраст «от» не может быть больше возраста «до»; дети — до 18 лет."),
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0), name="programme_hours_positive",
                violation_error_message=_("Объём программы должен быть больше нуля часов."),
            ),
            models.CheckConstraint(
                condition=~Q(funding="paid") | Q(price__isnull=False, price__gt=0), name="programme_paid_has_price",
                violation_error_message=_("Для платной программы укажите стоимость."),
            ),
            models.CheckConstraint(
                condition=(~Q(funding="certificate")
                           | Q(certificate_hour_cost__isnull=False, certificate_hour_cost__gt=0)),
                name="programme_certificate_has_cost",
                violation_error_message=_("Для программы по сертификату укажите стоимость часа."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Teacher(TimeStampedModel):
    class Education(models.TextChoices):
        HIGHER_PEDAGOGICAL = "higher_ped", _("высшее педагогическое")
        HIGHER_PROFESSIONAL = "higher_prof", _("высшее профессиональное")
        SECONDARY_PEDAGOGICAL = "secondary_ped", _("среднее специальное педагогическое")
        SECONDARY_PROFESSIONAL = "secondary_prof", _("среднее специальное профессиональное")
        OTHER = "other", _("иное")

    class Category(models.TextChoices):
        NONE = "", _("без категории")
        RU_HIGHEST = "ru_highest", _("высшая")
        RU_FIRST = "ru_first", _("первая")
        RU_COMPLIANCE = "ru_compliance", _("соответствие занимаемой должности")
        KZ_MASTER = "kz_master", _("педагог-мастер")
        KZ_RESEARCHER = "kz_researcher", _("педагог-исследователь")
        KZ_EXPERT = "kz_expert", _("педагог-эксперт")
        KZ_MODERATOR = "kz_moderator", _("педагог-модератор")

    COUNTRY_CATEGORIES = {
        Country.RUSSIA: {Category.RU_HIGHEST, Category.RU_FIRST, Category.RU_COMPLIANCE},
        Country.KAZAKHSTAN: {Category.KZ_MASTER, Category.KZ_RESEARCHER, Category.KZ_EXPERT, Category.KZ_MODERATOR},
    }

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("учётная запись"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="teacher_profile")
    surname = models.CharField(_("фамилия"), max_length=100)
    name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)
    personal_id = models.CharField(_("СНИЛС / ИИН"), max_length=14, unique=True, null=True, blank=True)
    education_level = models.CharField(_("образование"), max_length=20, choices=Education.choices)
    category = models.CharField(_("квалификационная категория"), max_length=20, choices=Category.choices,
                                blank=True)
    is_external_specialist = models.BooleanField(
        _("внешний специалист"), default=False, help_text=_("Специалист не из системы образования.")
    )
    phone = models.CharField(_("телефон"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    organizations = models.ManyToManyField(Organization, through="Employment", verbose_name=_("организации"),
                                           related_name="teachers")

    class Meta:
        verbose_name = _("педагог")
        verbose_name_plural = _("педагоги")
        ordering = ["surname", "name"]

    def __str__(self) -> str:
        return " ".join(part for part in (self.surname, self.name, self.patronymic) if part)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not self.category or not self.pk:
            return
        countries = {org.municipality.region.country for org in self.organizations.select_related(
            "municipality__region")}
        allowed = set().union(*(self.COUNTRY_CATEGORIES[c] for c in countries)) if countries else None
        if allowed is not None and self.category not in allowed:
            raise ValidationError({"category": _("Эта категория не применяется в стране организации педагога.")})


class Employment(models.Model):
    teacher = models.ForeignKey(Teacher, verbose_name=_("педагог"), on_delete=models.CASCADE,
                                related_name="employments")
    organization = models.ForeignKey(Organization, verbose_name=_("организация"), on_delete=models.CASCADE,
                                     related_name="employments")
    position = models.CharField(_("должность"), max_length=200, default=_("педагог дополнительного образования"))
    is_main = models.BooleanField(_("основное место работы"), default=True)
    rate = models.DecimalField(_("ставка"), max_digits=4, decimal_places=2, default=1)
    start_date = models.DateField(_("принят"))
    end_date = models.DateField(_("уволен"), null=True, blank=True)

    class Meta:
        verbose_name = _("место работы")
        verbose_name_plural = _("места работы")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                   name="employment_dates_ordered",
                                   violation_error_message=_("Дата увольнения раньше даты приёма.")),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} — {self.organization}"


class Course(models.Model):
    """Курсы повышения квалификации."""

    teacher = models.ForeignKey(Teacher, verbose_name=_("педагог"), on_delete=models.CASCADE, related_name="courses")
    title = models.CharField(_("название"), max_length=500)
    provider = models.CharField(_("организатор"), max_length=300)
    hours = models.PositiveSmallIntegerField(_("часов"))
    completed_on = models.DateField(_("дата окончания"))
    certificate_number = models.CharField(_("номер удостоверения"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("курс повышения квалификации")
        verbose_name_plural = _("курсы повышения квалификации")
        ordering = ["-completed_on"]

    def __str__(self) -> str:
        return self.title


class Publication(models.Model):
    class Level(models.TextChoices):
        INTERNATIONAL = "international", _("международный")
        NATIONAL = "national", _("всероссийский / республиканский")
        REGIONAL = "regional", _("региональный / областной")
        MUNICIPAL = "municipal", _("муниципальный / городской")

    teacher = models.ForeignKey(Teacher, verbose_name=_("педагог"), on_delete=models.CASCADE,
                                related_name="publications")
    title = models.CharField(_("название"), max_length=500)
    journal = models.CharField(_("издание"), max_length=300)
    level = models.CharField(_("уровень"), max_length=20, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("год"))

    class Meta:
        verbose_name = _("публикация")
        verbose_name_plural = _("публикации")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class TeacherAward(models.Model):
    teacher = models.ForeignKey(Teacher, verbose_name=_("педагог"), on_delete=models.CASCADE, related_name="awards")
    title = models.CharField(_("награда"), max_length=500)
    level = models.CharField(_("уровень"), max_length=20, choices=Publication.Level.choices)
    year = models.PositiveSmallIntegerField(_("год"))

    class Meta:
        verbose_name = _("награда педагога")
        verbose_name_plural = _("награды педагогов")

    def __str__(self) -> str:
        return self.title


class Group(TimeStampedModel):
    """A творческое объединение: seats, ages, teachers, venue and the enrollment window.

    ``enrolled_count`` is kept by database triggers on enrollments (see the migration
    ``enrollment.0002_capacity_triggers``); the check constraint below makes the database itself refuse
    the enrollment that would take the group past its capacity, whatever code path inserts it.
    """

    class Allocation(models.TextChoices):
        QUEUE = "queue", _("по времени подачи заявки")
        LOTTERY = "lottery", _("жеребьёвка в окне открытия")

    programme = models.ForeignKey(Programme, verbose_name=_("программа"), on_delete=models.PROTECT,
                                  related_name="groups")
    name = models.CharField(_("название группы"), max_length=200)
    teachers = models.ManyToManyField(Teacher, verbose_name=_("педагоги"), blank=True, related_name="groups")
    venue = models.ForeignKey(Venue, verbose_name=_("площадка"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="groups")
    capacity = models.PositiveSmallIntegerField(_("мест"))
    enrolled_count = models.PositiveIntegerField(_("зачислено"), default=0, editable=False)
    held_count = models.PositiveIntegerField(
        _("мест за приглашёнными"), default=0, editable=False,
        help_text=_("Места, которые держат приглашённые, но ещё не зачисленные дети."),
    )
    age_from = models.PositiveSmallIntegerField(_("возраст от"))
    age_to = models.PositiveSmallIntegerField(_("возраст до"))
    period_start = models.DateField(_("начало занятий"))
    period_end = models.DateField(_("окончание занятий"))
    enrollment_opens_at = models.DateTimeField(_("приём заявок с"), null=True, blank=True)
    enrollment_closes_at = models.DateTimeField(_("приём заявок до"), null=True, blank=True)
    allocation = models.CharField(_("порядок распределения мест"), max_length=10, choices=Allocation.choices,
                                  default=Allocation.QUEUE)
    lottery_window_ends_at = models.DateTimeField(
        _("жеребьёвка: заявки, поданные до"), null=True, blank=True,
        help_text=_("Заявки, поступившие с открытия приёма до этого времени, упорядочиваются жеребьёвкой."),
    )
    is_active = models.BooleanField(_("действует"), default=True)

    COUNTERS = ("enrolled_count", "held_count")

    class Meta:
        verbose_name = _("группа")
        verbose_name_plural = _("группы")
        ordering = ["programme", "name"]
        indexes = [
            # The catalog's "enrollment open now" filter: the groups whose window has not closed, without a scan
            # of every group (the seat counters stay out of every index: their updates stay HOT).
            models.Index(fields=["enrollment_closes_at"], condition=Q(is_active=True), name="group_enrollment_closes"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="group_capacity_positive",
                                   violation_error_message=_("В группе должно быть хотя бы одно место.")),
            models.CheckConstraint(condition=Q(enrolled_count__lte=F("capacity")), name="group_not_overbooked",
                                   violation_error_message=_("В группе нет свободных мест.")),
            models.CheckConstraint(condition=Q(held_count__lte=F("capacity") - F("enrolled_count")),
                                   name="group_seats_not_oversold",
                                   violation_error_message=_("В группе нет свободных мест.")),
            models.CheckConstraint(
                condition=~Q(allocation="lottery") | Q(enrollment_opens_at__isnull=False,
                                                        lottery_window_ends_at__gt=F("enrollment_opens_at")),
                name="group_lottery_has_window",
                violation_error_message=_("Для жеребьёвки укажите начало приёма и конец окна жеребьёвки."),
            ),
            models.CheckConstraint(condition=Q(age_from__lte=F("age_to")) & Q(age_to__lte=MAX_CHILD_AGE),
                                   name="group_ages_sane",
                                   violation_error_message=_(
                                       "Возраст «от» не может быть больше возраста «до»; дети — до 18 лет.")),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="group_period_ordered",
                                   violation_error_message=_("Окончание занятий раньше их начала.")),
            models.CheckConstraint(
                condition=Q(enrollment_opens_at__isnull=True) | Q(enrollment_closes_at__isnull=True)
                | Q(enrollment_closes_at__gt=F("enrollment_opens_at")),
                name="group_window_ordered",
                violation_error_message=_("Приём заявок закрывается раньше, чем открывается."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.title} — {self.name}"

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.enrolled_count - self.held_count, 0)

    def save(self, *args, **kwargs) -> None:
        """The seat counters belong to the database triggers: a save never writes back a stale count."""
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None \
                and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [f.attname for f in self._meta.concrete_fields
                                       if not f.primary_key and f.attname not in self.COUNTERS]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.programme_id and self.age_from is not None and self.age_to is not None:
            programme = self.programme
            if self.age_from < programme.age_from or self.age_to > programme.age_to:
                raise ValidationError(_("Возраст группы выходит за возраст программы (%(f)s–%(t)s).")
                                      % {"f": programme.age_from, "t": programme.age_to})
        if self.capacity is not None and self.pk and self.capacity < self.enrolled_count:
            raise ValidationError({"capacity": _("Мест не может быть меньше, чем уже зачислено детей (%(n)s).")
                                   % {"n": self.enrolled_count}})


class ScheduleSlot(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("понедельник")
        TUESDAY = 2, _("вторник")
        WEDNESDAY = 3, _("среда")
        THURSDAY = 4, _("четверг")
        FRIDAY = 5, _("пятница")
        SATURDAY = 6, _("суббота")
        SUNDAY = 7, _("воскресенье")

    group = models.ForeignKey(Group, verbose_name=_("группа"), on_delete=models.CASCADE, related_name="schedule")
    weekday = models.PositiveSmallIntegerField(_("день недели"), choices=Weekday.choices)
    starts_at = models.TimeField(_("начало"))
    ends_at = models.TimeField(_("окончание"))
    venue = models.ForeignKey(Venue, verbose_name=_("площадка"), null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("занятие в расписании")
        verbose_name_plural = _("расписание")
        ordering = ["group", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_times_ordered",
                                   violation_error_message=_("Занятие заканчивается раньше, чем начинается.")),
            models.CheckConstraint(condition=Q(weekday__gte=1) & Q(weekday__lte=7), name="slot_weekday_valid",
                                   violation_error_message=_("День недели — от 1 до 7.")),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
