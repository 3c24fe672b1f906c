"""factory_boy factories for tests: one per model that tests build, with sane related defaults."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from kruzhok.accounts.models import Role, RoleGrant, User
from kruzhok.catalog.models import Direction, Employment, Group, Organization, Programme, ScheduleSlot, Teacher, Venue
from kruzhok.enrollment.models import Application, Enrollment
from kruzhok.events.models import Event, EventParticipant, EventResult
from kruzhok.people.models import Child, ChildCategory, Consent, Guardian, GuardianLink
from kruzhok.territory.models import Municipality, Population, Region, Settlement

TODAY = dt.date(2025, 10, 1)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Область {n}")
    code = factory.Sequence(lambda n: f"R{n:03d}")
    country = "RU"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Городской округ {n}")
    code = factory.Sequence(lambda n: f"M{n:04d}")


class SettlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Settlement

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Посёлок {n}")
    is_rural = False


class PopulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Population

    municipality = factory.SubFactory(MunicipalityFactory)
    year = 2025
    age = 10
    count = 100


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Муниципальное учреждение дополнительного образования № {n}")
    short_name = factory.Sequence(lambda n: f"ДДТ № {n}")
    org_type = Organization.Type.SUPPLEMENTARY
    licence_number = factory.Sequence(lambda n: f"Л035-{n:05d}")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    organization = factory.SubFactory(OrganizationFactory)
    name = "Главный корпус"
    settlement = factory.LazyAttribute(lambda o: SettlementFactory(municipality=o.organization.municipality))
    address = factory.Sequence(lambda n: f"ул. Ленина, {n}")


def direction(code: str = "technical", country: str = "RU") -> Direction:
    return Direction.objects.get(country=country, code=code)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Робототехника {n}")
    description = "Собираем и программируем роботов."
    direction = factory.LazyFunction(direction)
    age_from = 7
    age_to = 14
    hours = 72
    status = Programme.Status.PUBLISHED


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Группа {n}")
    capacity = 15
    age_from = factory.LazyAttribute(lambda o: o.programme.age_from)
    age_to = factory.LazyAttribute(lambda o: o.programme.age_to)
    period_start = dt.date(2025, 9, 1)
    period_end = dt.date(2026, 5, 31)


class ScheduleSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleSlot

    group = factory.SubFactory(GroupFactory)
    weekday = 1
    starts_at = dt.time(15, 0)
    ends_at = dt.time(16, 30)


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    surname = factory.Sequence(lambda n: f"Иванова{n}")
    name = "Мария"
    patronymic = "Петровна"
    education_level = Teacher.Education.HIGHER_PEDAGOGICAL
    category = Teacher.Category.RU_FIRST


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    teacher = factory.SubFactory(TeacherFactory)
    organization = factory.SubFactory(OrganizationFactory)
    start_date = dt.date(2020, 9, 1)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    surname = factory.Sequence(lambda n: f"Петров{n}")
    name = "Иван"
    patronymic = "Сергеевич"
    sex = "M"
    birth_date = dt.date(2015, 3, 14)
    municipality = factory.SubFactory(MunicipalityFactory)


class ChildCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChildCategory

    child = factory.SubFactory(ChildFactory)
    kind = ChildCategory.Kind.OVZ
    valid_from = dt.date(2024, 1, 1)


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    surname = factory.Sequence(lambda n: f"Петрова{n}")
    name = "Анна"
    phone = factory.Sequence(lambda n: f"+7900{n:07d}")


class GuardianLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuardianLink

    guardian = factory.SubFactory(GuardianFactory)
    child = factory.SubFactory(ChildFactory)
    relation = GuardianLink.Relation.MOTHER


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    child = factory.SubFactory(ChildFactory)
    scope = Consent.Scope.ENROLLMENT
    text_version = "2025-01"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    child = factory.SubFactory(ChildFactory)
    group = factory.SubFactory(GroupFactory)
    submitted_at = factory.LazyFunction(timezone.now)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    child = factory.SubFactory(ChildFactory)
    group = factory.SubFactory(GroupFactory)
    start_date = dt.date(2025, 9, 1)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Городской конкурс {n}")
    kind = Event.Kind.CONTEST
    level = "municipal"
    start_date = dt.date(2025, 1, 22)
    municipality = factory.SubFactory(MunicipalityFactory)


class EventParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventParticipant

    event = factory.SubFactory(EventFactory)
    child = factory.SubFactory(ChildFactory)
    organization = factory.SubFactory(OrganizationFactory)


class EventResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventResult

    participant = factory.SubFactory(EventParticipantFactory)
    result = EventResult.Result.PLACE_1


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def grant(user: User, role: str, **target) -> RoleGrant:
    if role != Role.PARENT:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return RoleGrant.objects.create(user=user, role=role, **target)
