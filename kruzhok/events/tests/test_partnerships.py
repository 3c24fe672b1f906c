"""Partnerships with their joint events; the bank of best practices with its adopters; summer shifts."""

from __future__ import annotations

import datetime as dt

from kruzhok import factories as f
from kruzhok.events import selectors as s
from kruzhok.events.models import BestPractice, Event, Partnership


def test_partnership_rows_count_joint_events(world):
    school = f.OrganizationFactory(municipality=world.a1, short_name="ОСШ № 8", org_type="school")
    memo = Partnership.objects.create(kind=Partnership.Kind.MEMORANDUM, title="Меморандум с ОСШ № 8",
                                      organization=world.org, start_date=dt.date(2024, 9, 1), children_covered=60)
    memo.partners.add(school)
    memo.programmes.add(world.programme)
    veterans = Partnership.objects.create(kind=Partnership.Kind.SOCIAL, title="Совет ветеранов",
                                          organization=world.org, partner_name="Совет ветеранов",
                                          start_date=dt.date(2020, 1, 1), end_date=dt.date(2023, 12, 31))
    for status in ("held", "held", "cancelled"):
        f.EventFactory(municipality=world.a1, organizer=world.org, partnership=memo, status=status)
    rows = {r.partnership: r for r in s.partnership_rows(organization=world.org)}
    assert (rows[memo].joint_events, rows[memo].children_covered, rows[memo].partners,
            rows[memo].programmes) == (2, 60, "ОСШ № 8", [world.programme.title])
    assert rows[veterans].joint_events == 0
    assert [r.partnership for r in s.partnership_rows(on=dt.date(2025, 1, 1), municipality=world.a1)] == [memo]


def test_best_practice_bank(world):
    practice = BestPractice.objects.create(title="Тактическая медицина", organization=world.org,
                                           description="Комплексная программа", status=BestPractice.Status.ADOPTED)
    practice.adopted_by.add(world.other_org, world.far_org)
    BestPractice.objects.create(title="Проектирование", organization=world.other_org, description="…")
    rows = s.best_practice_rows(region=world.region_a)
    assert [(r.practice.title, r.adopted_count, sorted(r.adopters)) for r in rows] == [
        ("Проектирование", 0, []), ("Тактическая медицина", 2, sorted(["ЦДТ А2", "СЮТ Б1"]))]
    assert [r.practice for r in s.best_practice_rows(status="adopted")] == [practice]


def test_summer_shifts_with_programmes(world):
    shift = f.EventFactory(title="Техно-смена", kind=Event.Kind.SHIFT, municipality=world.a1, organizer=world.org,
                           start_date=dt.date(2025, 6, 2), end_date=dt.date(2025, 6, 20), participants_count=40)
    shift.programmes.add(world.programme)
    (row,) = s.shift_rows(start=dt.date(2025, 6, 1), end=dt.date(2025, 8, 31), municipality=world.a1)
    assert (row.event, row.dates, row.programmes, str(row.participants)) == (
        shift, "02.06.2025–20.06.2025", [world.programme.title], "40")
