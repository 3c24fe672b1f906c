"""Programmes, groups, employments and schedules: the database refuses impossible ages and dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.catalog.models import Employment, Group, Programme, ScheduleSlot

pytestmark = pytest.mark.django_db


# --- programme ages: 0 ≤ from ≤ to ≤ 18 ------------------------------------------------------------------


@pytest.mark.parametrize(("age_from", "age_to"), [(5, 18), (7, 7), (0, 3)])
def test_programme_sane_ages_accepted(age_from, age_to):
    programme = f.ProgrammeFactory(age_from=age_from, age_to=age_to)
    assert Programme.objects.filter(pk=programme.pk, age_from=age_from, age_to=age_to).exists()


@pytest.mark.parametrize(("age_from", "age_to"), [(10, 9), (14, 7), (5, 19), (18, 30)])
def test_programme_insane_ages_refused_on_create(age_from, age_to):
    with pytest.raises(IntegrityError, match="programme_ages_sane"), transaction.atomic():
        f.ProgrammeFactory(title="Неправильная", age_from=age_from, age_to=age_to)
    assert not Programme.objects.filter(title="Неправильная").exists()


def test_programme_insane_ages_refused_on_save():
    programme = f.ProgrammeFactory(age_from=7, age_to=14)
    programme.age_from = 15
    with pytest.raises(IntegrityError, match="programme_ages_sane"), transaction.atomic():
        programme.save()
    with pytest.raises(IntegrityError, match="programme_ages_sane"), transaction.atomic():
        Programme.objects.filter(pk=programme.pk).update(age_to=19)
    programme.refresh_from_db()
    assert (programme.age_from, programme.age_to) == (7, 14)


def test_programme_needs_hours():
    with pytest.raises(IntegrityError, match="programme_hours_positive"), transaction.atomic():
        f.ProgrammeFactory(hours=0)
    assert not Programme.objects.exists()


@pytest.mark.parametrize(
    ("funding", "fields", "constraint"),
    [
        (Programme.Funding.PAID, {"price": 0}, "programme_paid_has_price"),
        (Programme.Funding.PAID, {"price": None}, "programme_paid_has_price"),
        (Programme.Funding.CERTIFICATE, {"certificate_hour_cost": 0}, "programme_certificate_has_cost"),
        (Programme.Funding.CERTIFICATE, {"certificate_hour_cost": None}, "programme_certificate_has_cost"),
    ],
)
def test_programme_paid_or_by_certificate_needs_its_price(funding, fields, constraint):
    # A missing price must be refused like a zero one (in SQL ``NULL > 0`` is unknown, which a CHECK lets pass).
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        f.ProgrammeFactory(funding=funding, **fields)
    assert not Programme.objects.exists()
    f.ProgrammeFactory(funding=Programme.Funding.PAID, price=1500)
    f.ProgrammeFactory(funding=Programme.Funding.CERTIFICATE, certificate_hour_cost=120)
    assert Programme.objects.count() == 2


# --- groups: ages, period, enrollment window, seats ----------------------------------------------------


@pytest.mark.parametrize(("age_from", "age_to"), [(12, 8), (7, 19)])
def test_group_insane_ages_refused(age_from, age_to):
    programme = f.ProgrammeFactory(age_from=5, age_to=18)
    with pytest.raises(IntegrityError, match="group_ages_sane"), transaction.atomic():
        f.GroupFactory(programme=programme, age_from=age_from, age_to=age_to)
    assert not Group.objects.exists()


def test_group_period_ordered():
    group = f.GroupFactory(period_start=dt.date(2025, 9, 1), period_end=dt.date(2025, 9, 1))
    with pytest.raises(IntegrityError, match="group_period_ordered"), transaction.atomic():
        f.GroupFactory(period_start=dt.date(2025, 9, 1), period_end=dt.date(2025, 8, 31))
    group.period_end = dt.date(2025, 5, 31)
    with pytest.raises(IntegrityError, match="group_period_ordered"), transaction.atomic():
        group.save()
    assert Group.objects.count() == 1
    assert Group.objects.get().period_end == dt.date(2025, 9, 1)


def test_group_enrollment_window_ordered():
    opens = timezone.now()
    f.GroupFactory(enrollment_opens_at=opens, enrollment_closes_at=opens + dt.timedelta(days=30))
    f.GroupFactory(enrollment_opens_at=opens, enrollment_closes_at=None)
    f.GroupFactory(enrollment_opens_at=None, enrollment_closes_at=opens)
    for closes in (opens, opens - dt.timedelta(minutes=1)):
        with pytest.raises(IntegrityError, match="group_window_ordered"), transaction.atomic():
            f.GroupFactory(enrollment_opens_at=opens, enrollment_closes_at=closes)
    assert Group.objects.count() == 3


def test_group_needs_a_seat():
    with pytest.raises(IntegrityError, match="group_capacity_positive"), transaction.atomic():
        f.GroupFactory(capacity=0)
    assert not Group.objects.exists()


def test_group_full_clean_refuses_ages_outside_the_programme():
    programme = f.ProgrammeFactory(age_from=7, age_to=14)
    for age_from, age_to in [(6, 14), (7, 15), (5, 16)]:
        group = f.GroupFactory.build(programme=programme, age_from=age_from, age_to=age_to)
        with pytest.raises(ValidationError) as info:
            group.full_clean()
        assert info.value.messages == ["Возраст группы выходит за возраст программы (7–14)."]
    f.GroupFactory.build(programme=programme, age_from=8, age_to=12).full_clean()
    f.GroupFactory.build(programme=programme, age_from=7, age_to=14).full_clean()


def test_group_full_clean_refuses_fewer_seats_than_enrolled():
    group = f.GroupFactory(capacity=3)
    f.EnrollmentFactory(group=group)
    f.EnrollmentFactory(group=group)
    group.refresh_from_db()
    group.capacity = 1
    with pytest.raises(ValidationError) as info:
        group.full_clean()
    assert info.value.message_dict["capacity"] == ["Мест не может быть меньше, чем уже зачислено детей (2)."]


# --- employments and the schedule -------------------------------------------------------------------


def test_employment_dates_ordered():
    employment = f.EmploymentFactory(start_date=dt.date(2020, 9, 1), end_date=dt.date(2020, 9, 1))
    with pytest.raises(IntegrityError, match="employment_dates_ordered"), transaction.atomic():
        f.EmploymentFactory(start_date=dt.date(2020, 9, 1), end_date=dt.date(2020, 8, 31))
    employment.end_date = dt.date(2019, 1, 1)
    with pytest.raises(IntegrityError, match="employment_dates_ordered"), transaction.atomic():
        employment.save()
    assert Employment.objects.count() == 1
    assert Employment.objects.get().end_date == dt.date(2020, 9, 1)


def test_schedule_slot_times_and_weekday():
    group = f.GroupFactory()
    with pytest.raises(IntegrityError, match="slot_times_ordered"), transaction.atomic():
        f.ScheduleSlotFactory(group=group, starts_at=dt.time(16, 0), ends_at=dt.time(16, 0))
    with pytest.raises(IntegrityError, match="slot_weekday_valid"), transaction.atomic():
        f.ScheduleSlotFactory(group=group, weekday=8)
    assert not ScheduleSlot.objects.exists()
