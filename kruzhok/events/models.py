"""Events, participants and results; partnerships; the bank of best practices."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Direction, Organization, Programme, Teacher
from kruzhok.core.models import TimeStampedModel
from kruzhok.people.models import Child
from kruzhok.territory.models import Municipality


class EventLevel(models.TextChoices):
    INTERNATIONAL = "international", _("международный")
    NATIONAL = "national", _("всероссийский / республиканский")
    REGIONAL = "regional", _("региональный / областной")
    DISTRICT = "district", _("окружной")
    MUNICIPAL = "municipal", _("муниципальный / городской")
    ORGANIZATION = "organization", _("учрежденческий")


class Event(TimeStampedModel):
    class Kind(models.TextChoices):
        CONTEST = "contest", _("конкурс")
        COMPETITION = "competition", _("соревнование")
        FESTIVAL = "festival", _("фестиваль")
        OLYMPIAD = "olympiad", _("олимпиада")
        EXHIBITION = "exhibition", _("выставка")
        HOLIDAY = "holiday", _("праздник")
        SHIFT = "shift", _("профильная смена")
        SEMINAR = "seminar", _("семинар / консультация для педагогов")
        OPEN_DAY = "open_day", _("день открытых дверей")

    class Audience(models.TextChoices):
        CHILDREN = "children", _("дети")
        TEACHERS = "teachers", _("педагоги")
        PARENTS = "parents", _("родители")
        FAMILIES = "families", _("семьи")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("очно")
        REMOTE = "remote", _("дистанционно")

    class Status(models.TextChoices):
        PLANNED = "planned", _("запланировано")
        HELD = "held", _("проведено")
        CANCELLED = "cancelled", _("отменено")

    title = models.CharField(_("название"), max_length=500)
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("уровень"), max_length=20, choices=EventLevel.choices)
    description = models.TextField(_("описание"), blank=True)
    place = models.CharField(_("место проведения"), max_length=500, blank=True)
    direction = models.ForeignKey(Direction, verbose_name=_("направленность"), null=True, blank=True,
                                  on_delete=models.PROTECT)
    start_date = models.DateField(_("дата начала"))
    end_date = models.DateField(_("дата окончания"), null=True, blank=True)
    schedule_note = models.CharField(_("график"), max_length=300, blank=True,
                                     help_text=_("Например: «по графику», «по запросу»."))
    municipality = models.ForeignKey(Municipality, verbose_name=_("муниципалитет"), on_delete=models.PROTECT,
                                     related_name="events")
    organizer = models.ForeignKey(Organization, verbose_name=_("организатор"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="organized_events")
    external_organizer = models.CharField(
        _("сторонний организатор"), max_length=500, blank=True,
        help_text=_("Для конкурсов других ведомств и уровней: организация в поле «организатор» лишь записала "
                    "участие своих обучающихся; такое мероприятие не считается проведённым ею."))
    co_organizers = models.ManyToManyField(Organization, verbose_name=_("соорганизаторы"), blank=True,
                                           related_name="co_organized_events")
    audience = models.CharField(_("аудитория"), max_length=20, choices=Audience.choices, default=Audience.CHILDREN)
    format = models.CharField(_("формат"), max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    participants_count = models.PositiveIntegerField(_("число участников"), null=True, blank=True)
    participants_count_is_lower_bound = models.BooleanField(
        _("не менее (приблизительно)"), default=False, help_text=_("«Более 1000»: число хранится как нижняя граница.")
    )
    is_public = models.BooleanField(_("публиковать"), default=True)
    registration_open = models.BooleanField(_("открыта регистрация"), default=False)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    programmes = models.ManyToManyField(Programme, verbose_name=_("программы"), blank=True, related_name="events",
                                        help_text=_("Программы профильной смены или программы, в рамках которых "
                                                    "проводится мероприятие."))
    partnership = models.ForeignKey("Partnership", verbose_name=_("в рамках партнёрства"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="joint_events")

    class Meta:
        verbose_name = _("мероприятие")
        verbose_name_plural = _("мероприятия")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                   name="event_dates_ordered",
                                   violation_error_message=_("Окончание мероприятия раньше его начала.")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def participants_display(self) -> str:
        """«120», «более 1000» (a lower bound) or «—»: the count as every page and report prints it."""
        from kruzhok.events.counts import participants_display

        return participants_display(self.participants_count, self.participants_count_is_lower_bound)


class EventDate(models.Model):
    """One dated session of an event held by a schedule («02.02 и 07.02», three stages of a contest).

    An event with dates keeps ``start_date``/``end_date`` as their envelope (the first and the last date), so
    summaries and counts read events as before; ``services.event_update`` keeps the two in step.
    """

    event = models.ForeignKey(Event, verbose_name=_("мероприятие"), on_delete=models.CASCADE, related_name="dates")
    date = models.DateField(_("дата"))
    start_time = models.TimeField(_("начало"), null=True, blank=True)
    end_time = models.TimeField(_("окончание"), null=True, blank=True)
    place = models.CharField(_("место или примечание"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("дата мероприятия")
        verbose_name_plural = _("даты мероприятия")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(start_time__isnull=False, end_time__gt=F("start_time")),
                name="event_date_times_ordered",
                violation_error_message=_("Время окончания занятия должно быть позже его начала.")),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.date:%d.%m.%Y}"


class EventParticipant(models.Model):
    event = models.ForeignKey(Event, verbose_name=_("мероприятие"), on_delete=models.PROTECT,
                              related_name="participants")
    child = models.ForeignKey(Child, verbose_name=_("ребёнок"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="event_participations")
    teacher = models.ForeignKey(Teacher, verbose_name=_("педагог"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="event_participations")
    team_name = models.CharField(_("команда"), max_length=300, blank=True)
    organization = models.ForeignKey(Organization, verbose_name=_("организация"), on_delete=models.PROTECT,
                                     related_name="event_participants")
    mentor = models.ForeignKey(Teacher, verbose_name=_("наставник"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="mentored_participants")
    team_members = models.ManyToManyField(Child, verbose_name=_("состав команды"), blank=True,
                                          related_name="event_teams")

    class Meta:
        verbose_name = _("участник мероприятия")
        verbose_name_plural = _("участники мероприятия")
        constraints = [
            models.CheckConstraint(
                condition=Q(child__isnull=False) | Q(teacher__isnull=False) | ~Q(team_name=""),
                name="participant_is_someone",
                violation_error_message=_("Участник — ребёнок, педагог или команда."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.child or self.teacher or self.team_name)


class EventResult(models.Model):
    class Result(models.TextChoices):
        PARTICIPANT = "participant", _("участник")
        LAUREATE = "laureate", _("лауреат")
        PRIZE_WINNER = "prize_winner", _("призёр")
        WINNER = "winner", _("победитель")
        GRAND_PRIX = "grand_prix", _("Гран-при")
        PLACE_1 = "place_1", _("I место")
        PLACE_2 = "place_2", _("II место")
        PLACE_3 = "place_3", _("III место")
        DIPLOMA = "diploma", _("диплом")
        CERTIFICATE = "certificate", _("грамота")

    participant = models.ForeignKey(EventParticipant, verbose_name=_("участник"), on_delete=models.PROTECT,
                                    related_name="results")
    result = models.CharField(_("результат"), max_length=20, choices=Result.choices)
    nomination = models.CharField(_("номинация"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("результат")
        verbose_name_plural = _("результаты")

    def __str__(self) -> str:
        return f"{self.participant}: {self.get_result_display()}"


class Partnership(TimeStampedModel):
    class Kind(models.TextChoices):
        MEMORANDUM = "memorandum", _("меморандум")
        NETWORK = "network", _("договор о сетевом взаимодействии")
        SOCIAL = "social", _("социальное партнёрство")

    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("название"), max_length=500)
    organization = models.ForeignKey(Organization, verbose_name=_("организация"), on_delete=models.CASCADE,
                                     related_name="partnerships")
    partners = models.ManyToManyField(Organization, verbose_name=_("партнёры-организации"), blank=True,
                                      related_name="partner_of")
    partner_name = models.CharField(_("внешний партнёр"), max_length=500, blank=True,
                                    help_text=_("Общественная организация, совет ветеранов и т. п."))
    start_date = models.DateField(_("с"))
    end_date = models.DateField(_("по"), null=True, blank=True)
    children_covered = models.PositiveIntegerField(_("охвачено детей"), default=0)
    programmes = models.ManyToManyField(Programme, verbose_name=_("программы"), blank=True,
                                        related_name="partnerships")

    class Meta:
        verbose_name = _("партнёрство")
        verbose_name_plural = _("партнёрства")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                   name="partnership_dates_ordered",
                                   violation_error_message=_("Окончание партнёрства раньше его начала.")),
        ]

    def __str__(self) -> str:
        return self.title


class BestPractice(TimeStampedModel):
    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("выявлена")
        IN_BANK = "in_bank", _("в банке практик")
        ADOPTED = "adopted", _("внедряется")

    title = models.CharField(_("название"), max_length=500)
    organization = models.ForeignKey(Organization, verbose_name=_("организация"), on_delete=models.CASCADE,
                                     related_name="best_practices")
    direction = models.ForeignKey(Direction, verbose_name=_("направленность"), null=True, blank=True,
                                  on_delete=models.PROTECT)
    description = models.TextField(_("описание"))
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.IDENTIFIED)
    adopted_by = models.ManyToManyField(Organization, verbose_name=_("внедрили"), blank=True,
                                        related_name="adopted_practices")

    class Meta:
        verbose_name = _("лучшая практика")
        verbose_name_plural = _("банк лучших практик")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("events:practice", args=[self.pk])


# Materials of a practice: documents, presentations, tables, pictures and archives of them.
PRACTICE_FILE_EXTENSIONS = ("pdf", "doc", "docx", "odt", "rtf", "txt", "ppt", "pptx", "odp", "xls", "xlsx", "ods",
                            "jpg", "jpeg", "png", "zip")
PRACTICE_FILE_MAX_BYTES = 20 * 1024 * 1024


def practice_file_path(instance: BestPracticeFile, filename: str) -> str:
    return f"practices/{instance.practice_id or 'new'}/{PurePath(filename).name}"


def validate_practice_file(upload: models.fields.files.FieldFile) -> None:
    """A practice's file: one of the document types above, at most 20 MB, its contents matching its type."""
    from kruzhok.events.files import practice_file_problem

    problem = practice_file_problem(upload)
    if problem:
        raise ValidationError(problem, code="practice_file")


class BestPracticeFile(models.Model):
    practice = models.ForeignKey(BestPractice, verbose_name=_("практика"), on_delete=models.CASCADE,
                                 related_name="files")
    file = models.FileField(_("файл"), upload_to=practice_file_path, max_length=300,
                            validators=[validate_practice_file])
    title = models.CharField(_("название"), max_length=300, blank=True,
                             help_text=_("Если не указано, показывается имя файла."))
    size = models.PositiveBigIntegerField(_("размер, байт"), default=0, editable=False)
    uploaded_at = models.DateTimeField(_("загружен"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("файл практики")
        verbose_name_plural = _("файлы практики")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def filename(self) -> str:
        return PurePath(self.file.name).name

    @property
    def extension(self) -> str:
        return PurePath(self.file.name).suffix.lstrip(".").upper()

    @property
    def display_name(self) -> str:
        return self.title or self.filename

    def save(self, *args, **kwargs) -> None:
        if self.file and not self.size:
            try:
                self.size = self.file.size
            except OSError:  # a row migrated from a file that is no longer on disk
                self.size = 0
        super().save(*args, **kwargs)


class EventRegistration(TimeStampedModel):
    """A parent's registration of their child for an open event (where the organizer allows it)."""

    event = models.ForeignKey(Event, verbose_name=_("мероприятие"), on_delete=models.PROTECT,
                              related_name="registrations")
    child = models.ForeignKey(Child, verbose_name=_("ребёнок"), on_delete=models.CASCADE,
                              related_name="event_registrations")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("кто записал"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("запись на мероприятие")
        verbose_name_plural = _("записи на мероприятия")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "child"], name="registration_once_per_child",
                                    violation_error_message=_("Ребёнок уже записан на это мероприятие.")),
        ]

    def __str__(self) -> str:
        return f"{self.child} — {self.event}"
