"""Applying is refused, with the reason a family can act on, before the enrollment window opens (showing
when it opens), after it closes, into an inactive group, and for a child outside the group's ages (showing
the ages). A refused application leaves no row behind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from kruzhok import factories as f
from kruzhok.core.errors import DomainError
from kruzhok.enrollment.models import Application, ApplicationStatus, ApplicationStatusChange
from kruzhok.enrollment.services import application_refusal, application_submit
from kruzhok.enrollment.tests.clock import (
    START,
    clock_fixture,  # noqa: F401  (the `clock` fixture)
)

pytestmark = pytest.mark.django_db

OPENS = START + dt.timedelta(days=2, hours=4)  # Wednesday 27 August, 14:00 in Yekaterinburg
CLOSES = OPENS + dt.timedelta(days=10)


def refused(child, group) -> DomainError:
    with pytest.raises(DomainError) as info:
        application_submit(child=child, group=group, actor=None)
    assert info.value.code == "cannot_apply"
    assert not Application.objects.filter(child=child).exists()
    assert not ApplicationStatusChange.objects.filter(application__child=child).exists()
    return info.value


@pytest.fixture
def group():
    return f.GroupFactory(enrollment_opens_at=OPENS, enrollment_closes_at=CLOSES, age_from=7, age_to=12)


def test_before_the_window_opens_the_opening_time_is_shown(group, clock):
    clock.set(OPENS - dt.timedelta(minutes=1))
    error = refused(f.ChildFactory(), group)
    assert error.messages == ["Приём заявок в эту группу откроется 27 августа 2025 г. 14:00."]
    with translation.override("en"):
        error = refused(f.ChildFactory(), group)
        opens = formats.date_format(timezone.localtime(OPENS), "DATETIME_FORMAT")
        expected = gettext("Приём заявок в эту группу откроется %(opens)s.") % {"opens": opens}
    assert error.messages == [expected]
    clock.set(OPENS)
    assert application_submit(child=f.ChildFactory(), group=group, actor=None).status == ApplicationStatus.INVITED


def test_after_the_window_closes_applying_is_refused(group, clock):
    clock.set(CLOSES - dt.timedelta(seconds=1))
    assert application_submit(child=f.ChildFactory(), group=group, actor=None).pk
    clock.set(CLOSES)
    assert refused(f.ChildFactory(), group).messages == ["Приём заявок в эту группу закрыт."]


def test_an_inactive_group_takes_no_applications(clock):
    group = f.GroupFactory(is_active=False)
    assert refused(f.ChildFactory(), group).messages == ["Группа не набирает детей."]


@pytest.mark.parametrize(("birth_date", "age"), [(dt.date(2018, 9, 2), 6), (dt.date(2012, 8, 31), 13)])
def test_a_child_outside_the_ages_is_refused_with_the_ages(group, clock, birth_date, age):
    clock.set(OPENS)
    error = refused(f.ChildFactory(birth_date=birth_date), group)
    # The age counts on the day classes start (1 September), or today if they have begun.
    assert error.messages == [f"Группа для детей 7–12 лет, а ребёнку на 1 сентября 2025 г. будет {age}."]


@pytest.mark.parametrize("birth_date", [dt.date(2018, 9, 1), dt.date(2012, 9, 2)])
def test_the_age_bounds_are_inclusive(group, clock, birth_date):
    clock.set(OPENS)
    child = f.ChildFactory(birth_date=birth_date)
    assert application_refusal(child=child, group=group, now=OPENS) is None
    assert application_submit(child=child, group=group, actor=None).status == ApplicationStatus.INVITED
