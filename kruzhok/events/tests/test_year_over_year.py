"""Growth of mass events year over year by kind and by direction («гражданско-патриотической на 20 %»)."""

from __future__ import annotations

import datetime as dt

from kruzhok import factories as f
from kruzhok.events import selectors as s
from kruzhok.events.models import Event

PREVIOUS = (dt.date(2023, 9, 1), dt.date(2024, 8, 31))
CURRENT = (dt.date(2024, 9, 1), dt.date(2025, 8, 31))


def held(world, kind, direction, year, n, status=Event.Status.HELD):
    for i in range(n):
        f.EventFactory(municipality=world.a2, organizer=world.other_org, kind=kind, direction=direction,
                       start_date=dt.date(year, 10, 1 + i), status=status)


def test_change_by_direction_and_kind(world):
    patriotic, art = f.direction("military_patriotic"), f.direction("artistic")
    held(world, Event.Kind.HOLIDAY, patriotic, 2023, 5)   # 5 → 6: +20 %
    held(world, Event.Kind.HOLIDAY, patriotic, 2024, 6)
    held(world, Event.Kind.CONTEST, art, 2023, 4)         # 4 → 2: −50 %
    held(world, Event.Kind.CONTEST, art, 2024, 2)
    held(world, Event.Kind.FESTIVAL, art, 2024, 1)        # new: no percentage
    held(world, Event.Kind.FESTIVAL, art, 2024, 3, status=Event.Status.CANCELLED)  # never counted
    rows = {r.key: r for r in s.events_change(current=CURRENT, previous=PREVIOUS, by="direction",
                                              municipality=world.a2)}
    assert (rows[str(patriotic.pk)].previous, rows[str(patriotic.pk)].current,
            rows[str(patriotic.pk)].change_pct) == (5, 6, 20.0)
    assert (rows[str(art.pk)].previous, rows[str(art.pk)].current, rows[str(art.pk)].change_pct) == (4, 3, -25.0)

    kinds = {r.key: r for r in s.events_change(current=CURRENT, previous=PREVIOUS, by="kind", municipality=world.a2)}
    assert (kinds["holiday"].change_pct, kinds["contest"].change_pct) == (20.0, -50.0)
    assert (kinds["festival"].previous, kinds["festival"].current, kinds["festival"].change_pct) == (0, 1, None)
    assert "olympiad" not in kinds  # nothing in either year
    # Region A sees the same events (A2 lies in it); region B only the world's far contest of 22.01.2025.
    assert {r.key: r.current for r in s.events_change(current=CURRENT, previous=PREVIOUS, region=world.region_a)
            }["holiday"] == 6
    assert [(r.key, r.previous, r.current) for r in s.events_change(current=CURRENT, previous=PREVIOUS,
                                                                    region=world.region_b)] == [("contest", 0, 1)]
