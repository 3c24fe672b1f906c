"""The report's summaries of achievements and events on data built by hand, each figure worked out below.

School year 2024/25 (1 Sep 2024 – 31 Aug 2025). Pupils ``c1``, ``c2``, ``c3`` of ``org`` (A1); mentors ``t1``
(the world's teacher) and ``t2``; ``other_org`` is in A2 (same region A), ``far_org`` in B1 (region B).

==========================  ==========  ============  ==================================================
event                       level       direction     participants → results
==========================  ==========  ============  ==================================================
e_int (external organizer)  internat.   technical     c1/t1 → Гран-при; c2/t1 → участник
e_reg (other_org; org co-)  regional    artistic      c1/t1 → I место; team «Роботы» (c2, c3)/t2 → II место;
                                                      other_child@other_org → III место; far_child@far_org → I
e_mun (org)                 municipal   technical     c3/t2 → III место + диплом; teacher t2 → диплом
e_cancel (cancelled)        municipal   technical     c2 → I место                    (never counted)
e_old (2023/24)             municipal   technical     c2 → I место                    (outside the period)
==========================  ==========  ============  ==================================================

For ``org``: prize-winning participants c1@e_int, c1@e_reg, team@e_reg, c3@e_mun = 4 — international 1,
regional 2, municipal 1; technical 2, artistic 2. Results: Гран-при 1, I 1, II 1, III 1, диплом 2, участник 1.
Children with a prize: c1, c3 alone, c2 and c3 in the team → 3. Mentors: t1 2 prizes (pupil c1),
t2 2 prizes (pupils c2, c3). Region A adds other_child's III место: 5 prize-winners, regional 3.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok import factories as f
from kruzhok.events import selectors as s
from kruzhok.events.models import Event, EventParticipant, EventResult

R = EventResult.Result
YEAR = (dt.date(2024, 9, 1), dt.date(2025, 8, 31))


@pytest.fixture
def season(world):
    w = world
    tech, art = f.direction("technical"), f.direction("artistic")
    w.t1 = w.teacher_profile
    w.t2 = f.TeacherFactory(surname="Яковлева")
    f.EmploymentFactory(teacher=w.t2, organization=w.org)
    w.c1, w.c2, w.c3 = (f.ChildFactory(municipality=w.a1) for _ in range(3))

    def event(level, direction, day, **kw):
        return f.EventFactory(level=level, direction=direction, start_date=day, end_date=day, **kw)

    w.e_int = event("international", tech, dt.date(2024, 10, 10), municipality=w.a1, organizer=w.org,
                    external_organizer="Международный оргкомитет")
    w.e_reg = event("regional", art, dt.date(2025, 2, 1), municipality=w.a2, organizer=w.other_org,
                    kind=Event.Kind.COMPETITION, participants_count=1000, participants_count_is_lower_bound=True)
    w.e_reg.co_organizers.add(w.org)
    w.e_mun = event("municipal", tech, dt.date(2025, 3, 1), municipality=w.a1, organizer=w.org)
    w.e_cancel = event("municipal", tech, dt.date(2025, 4, 1), municipality=w.a1, organizer=w.org,
                       status=Event.Status.CANCELLED)
    w.e_old = event("municipal", tech, dt.date(2024, 5, 1), municipality=w.a1, organizer=w.org)

    def took(event, result, *, child=None, teacher=None, org=None, mentor=None, team="", members=()):
        p = EventParticipant.objects.create(event=event, child=child, teacher=teacher, team_name=team,
                                            organization=org or w.org, mentor=mentor)
        p.team_members.set(members)
        for r in result if isinstance(result, tuple) else (result,):
            EventResult.objects.create(participant=p, result=r)
        return p

    took(w.e_int, R.GRAND_PRIX, child=w.c1, mentor=w.t1)
    took(w.e_int, R.PARTICIPANT, child=w.c2, mentor=w.t1)
    took(w.e_reg, R.PLACE_1, child=w.c1, mentor=w.t1)
    took(w.e_reg, R.PLACE_2, team="Роботы", members=(w.c2, w.c3), mentor=w.t2)
    took(w.e_reg, R.PLACE_3, child=w.other_child, org=w.other_org, mentor=w.other_teacher)
    took(w.e_reg, R.PLACE_1, child=w.far_child, org=w.far_org, mentor=w.far_teacher)
    took(w.e_mun, (R.PLACE_3, R.DIPLOMA), child=w.c3, mentor=w.t2)
    took(w.e_mun, R.DIPLOMA, teacher=w.t2)
    took(w.e_cancel, R.PLACE_1, child=w.c2, mentor=w.t1)
    took(w.e_old, R.PLACE_1, child=w.c2, mentor=w.t1)
    return w


def counts(rows) -> dict[str, int]:
    return {r.key: r.count for r in rows if r.count}


def test_prize_winners_by_level(season):
    w = season
    assert counts(s.achievements_by_level(start=YEAR[0], end=YEAR[1], organization=w.org)) == {
        "international": 1, "regional": 2, "municipal": 1}
    assert counts(s.achievements_by_level(start=YEAR[0], end=YEAR[1], municipality=w.a1)) == {
        "international": 1, "regional": 2, "municipal": 1}
    assert counts(s.achievements_by_level(start=YEAR[0], end=YEAR[1], region=w.region_a)) == {
        "international": 1, "regional": 3, "municipal": 1}
    rows = s.achievements_by_level(start=YEAR[0], end=YEAR[1], organization=w.org)
    assert [r.key for r in rows][:2] == ["international", "national"]  # international first, zeros kept


def test_results_by_place(season):
    w = season
    assert counts(s.achievements_by_place(start=YEAR[0], end=YEAR[1], organization=w.org)) == {
        "grand_prix": 1, "place_1": 1, "place_2": 1, "place_3": 1, "diploma": 2, "participant": 1}
    # The previous year holds only e_old's I место.
    assert counts(s.achievements_by_place(start=dt.date(2023, 9, 1), end=dt.date(2024, 8, 31),
                                          organization=w.org)) == {"place_1": 1}


def test_prize_winners_by_direction(season):
    w = season
    rows = s.achievements_by_direction(start=YEAR[0], end=YEAR[1], organization=w.org)
    assert {r.label: r.count for r in rows} == {str(f.direction("technical")): 2, str(f.direction("artistic")): 2}
    assert [r.label for r in rows] == [str(f.direction("technical")), str(f.direction("artistic"))]  # dictionary order


def test_children_with_achievements_count_team_members(season):
    w = season
    assert s.children_with_achievements(start=YEAR[0], end=YEAR[1], organization=w.org) == 3
    assert s.children_with_achievements(start=YEAR[0], end=YEAR[1], region=w.region_a) == 4  # + other_child
    assert s.children_with_achievements(start=YEAR[0], end=YEAR[1], region=w.region_b) == 1  # far_child


def test_teachers_whose_pupils_won(season):
    w = season
    rows = s.teachers_with_winning_pupils(start=YEAR[0], end=YEAR[1], organization=w.org)
    assert [(r.teacher, r.prizes, r.pupils) for r in rows] == [(w.t1, 2, 1), (w.t2, 2, 2)]


def test_summary_in_one_object(season):
    summary = s.achievements_summary(start=YEAR[0], end=YEAR[1], organization=season.org)
    assert summary.prize_total == 4
    assert summary.children == 3


def test_events_held_by_kind_exclude_cancelled_and_external(season):
    w = season
    rows = {r.kind: r for r in s.events_by_kind(start=YEAR[0], end=YEAR[1], organization=w.org)}
    # Contests: the world's own contest of 22.01.2025 (nobody recorded: 0) and e_mun (no count recorded → its
    # 2 individual records); competitions: e_reg (co-organized, «более 1000»).
    assert (rows["contest"].events, str(rows["contest"].participants)) == (2, "2")
    assert (rows["competition"].events, str(rows["competition"].participants)) == (1, "более 1000")
    assert sum(r.events for r in rows.values()) == 3
    table = s.event_table(start=YEAR[0], end=YEAR[1], organization=w.org)
    assert [(r.title, r.dates, str(r.participants)) for r in table] == [
        (w.event.title, "22.01.2025", "0"), (w.e_reg.title, "01.02.2025", "более 1000"),
        (w.e_mun.title, "01.03.2025", "2")]
    # A municipality counts the events held on its territory: A1 has the world's contest and e_mun
    # (e_int is external, e_cancel cancelled, e_old of the year before).
    assert [r.event for r in s.event_table(start=YEAR[0], end=YEAR[1], municipality=w.a1)] == [w.event, w.e_mun]
    # Summed counts stay lower bounds.
    assert str(sum((r.participants for r in rows.values()), s.Participants())) == "более 1002"
