"""The demo region's events read like the seed reports: the city table with «более 1000», prize-winners of
every level, growth over the year before, summer shifts with programmes, memoranda and the practice bank."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from kruzhok.demo.spec import MAIN
from kruzhok.demo.town import demo_town_build
from kruzhok.demo.wipe import registry_data_wipe
from kruzhok.events import selectors as s
from kruzhok.events.models import BestPractice, Event
from kruzhok.territory.models import Municipality

TODAY = dt.date(2025, 10, 15)
YEAR = (dt.date(2024, 9, 1), dt.date(2025, 8, 31))
BEFORE = (dt.date(2023, 9, 1), dt.date(2024, 8, 31))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        registry_data_wipe()
        demo_town_build(seed=7, today=TODAY)
        yield
        registry_data_wipe()


@pytest.mark.django_db
def test_demo_events_resemble_the_seed(demo):
    town = Municipality.objects.get(code=MAIN.code)
    table = {r.title: r for r in s.event_table(start=YEAR[0], end=YEAR[1], municipality=town)}
    ticket = table["Профориентационные городские мероприятия «Билет в будущее»"]
    assert (ticket.dates, str(ticket.participants)) == ("22.01.2025", "более 1000")
    assert str(table["Городская военно-спортивная игра «Зарница»"].participants) == "120"

    levels = {r.key: r.count for r in s.achievements_by_level(start=YEAR[0], end=YEAR[1], municipality=town)}
    assert all(levels[k] > 0 for k in ("international", "national", "regional", "municipal"))
    places = {r.key: r.count for r in s.achievements_by_place(start=YEAR[0], end=YEAR[1], municipality=town)}
    assert places["grand_prix"] > 0 and places["place_1"] > places["grand_prix"]
    assert s.children_with_achievements(start=YEAR[0], end=YEAR[1], municipality=town) > 20
    assert s.teachers_with_winning_pupils(start=YEAR[0], end=YEAR[1], municipality=town)

    change = s.events_change(current=YEAR, previous=BEFORE, by="direction", municipality=town)
    assert sum(r.current for r in change) > sum(r.previous for r in change)
    assert any(r.change_pct and r.change_pct > 0 for r in change)

    shifts = s.shift_rows(start=YEAR[0], end=YEAR[1], municipality=town)
    assert len(shifts) >= 7 and sum(1 for r in shifts if r.programmes) >= 3
    memoranda = [r for r in s.partnership_rows(municipality=town) if r.partnership.kind == "memorandum"]
    assert len(memoranda) >= 3 and all(r.children_covered for r in memoranda)
    practices = {r.status_label: r.adopted_count for r in s.best_practice_rows(municipality=town)}
    assert max(practices.values()) >= 3
    staffing = s.staffing_summary(on=TODAY, municipality=town)
    assert staffing.total == sum(r.count for r in staffing.by_education) > 50


@pytest.mark.django_db
def test_demo_has_a_schedule_and_practice_files(demo):
    town = Municipality.objects.get(code=MAIN.code)
    scheduled = Event.objects.get(municipality=town, title__contains="РобоЛига")
    dates = list(scheduled.dates.all())
    assert len(dates) == 3 and all(d.start_time for d in dates)
    assert (scheduled.start_date, scheduled.end_date) == (dates[0].date, dates[-1].date)
    assert scheduled in s.events_public(today=TODAY)
    practice = BestPractice.objects.filter(organization__municipality=town, files__isnull=False).distinct().get()
    files = list(practice.files.all())
    assert [f.title for f in files] == ["Описание практики", "План внедрения"]
    assert all(f.size > 0 and f.file.read() for f in files)
