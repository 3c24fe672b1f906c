"""Lottery mode: applications received in a group's opening window are ordered by a seeded draw that anyone
with the seed can re-compute; seats go to the first ranks and the rest wait in rank order, ahead of those
who applied after the window."""

from __future__ import annotations

import datetime as dt
import hashlib
import random

import pytest

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.core.errors import DomainError
from kruzhok.core.models import AuditLog
from kruzhok.enrollment import lottery
from kruzhok.enrollment.models import Application, ApplicationStatus, LotteryDraw
from kruzhok.enrollment.selectors import application_queue_position, applications_with_positions
from kruzhok.enrollment.services import (
    application_submit,
    application_withdraw,
    group_promote_waitlist,
    lottery_draw,
)
from kruzhok.enrollment.tests.clock import (
    START,
    clock_fixture,  # noqa: F401  (the `clock` fixture)
)

pytestmark = pytest.mark.django_db

S = ApplicationStatus
OPENS = START + dt.timedelta(hours=1)
WINDOW_ENDS = OPENS + dt.timedelta(hours=2)
SEED = "2025-открытие-робототехника"


def by_hand(seed: str, ids: list[int]) -> list[int]:
    """The published rule, re-computed without our code: sort by sha256("<seed>:<id>") in hex."""
    return sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())


@pytest.fixture
def group() -> Group:
    return f.GroupFactory(capacity=3, allocation=Group.Allocation.LOTTERY, enrollment_opens_at=OPENS,
                          lottery_window_ends_at=WINDOW_ENDS)


def apply(group: Group, n: int) -> list[Application]:
    return [application_submit(child=f.ChildFactory(), group=group, actor=None) for _ in range(n)]


def statuses(applications: list[Application]) -> list[str]:
    found = dict(Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("pk", "status"))
    return [found[a.pk] for a in applications]


def test_the_window_waits_for_the_draw_and_the_draw_can_be_reverified(group, clock):
    clock.set(OPENS + dt.timedelta(minutes=1))
    in_window = apply(group, 8)
    assert statuses(in_window) == [S.SUBMITTED] * 8
    group.refresh_from_db()
    assert group.held_count == 0

    clock.set(WINDOW_ENDS + dt.timedelta(minutes=5))
    late = apply(group, 2)  # after the window, before the draw: they wait behind the window's applicants
    assert statuses(late) == [S.WAITLISTED] * 2

    actor = f.UserFactory(password=None)
    draw = lottery_draw(group=group, actor=actor, seed=SEED)

    ids = [a.pk for a in in_window]
    stored = LotteryDraw.objects.get(group=group)
    assert (stored.pk, stored.seed, stored.actor, stored.window_start, stored.window_end) == (
        draw.pk, SEED, actor, OPENS, WINDOW_ENDS)
    assert stored.order == lottery.draw_order(SEED, ids) == by_hand(SEED, ids)
    assert sorted(stored.order) == sorted(ids)
    # Anyone re-checking: the window's applications, from the data, in the published order.
    window = Application.objects.filter(group=group, submitted_at__gte=stored.window_start,
                                        submitted_at__lt=stored.window_end)
    assert by_hand(stored.seed, list(window.values_list("pk", flat=True))) == stored.order

    ranked = [Application.objects.get(pk=pk) for pk in stored.order]
    assert [a.lottery_rank for a in ranked] == list(range(1, 9))
    assert [a.status for a in ranked] == [S.INVITED] * 3 + [S.WAITLISTED] * 5
    assert [application_queue_position(application=a) for a in ranked[3:]] == [1, 2, 3, 4, 5]
    late = [Application.objects.get(pk=a.pk) for a in late]
    assert [application_queue_position(application=a) for a in late] == [6, 7]
    assert [a.queue_position for a in applications_with_positions(ranked + late)] == [None] * 3 + list(range(1, 8))
    group.refresh_from_db()
    assert group.held_count == 3
    first = ranked[0]
    assert list(first.history.values_list("from_status", "to_status", "note")) == [
        ("", S.SUBMITTED, ""), (S.SUBMITTED, S.INVITED, "Жеребьёвка: место 1.")]
    assert AuditLog.objects.filter(action="lottery.draw", object_id=str(draw.pk), actor=actor).exists()

    # A seat frees: it goes to the next rank, not to the earliest received.
    application_withdraw(application=ranked[1], actor=None)
    assert statuses(ranked) == [S.INVITED, S.WITHDRAWN, S.INVITED, S.INVITED] + [S.WAITLISTED] * 4
    after = apply(group, 1)  # after the draw: behind everyone
    assert statuses(after) == [S.WAITLISTED]
    assert application_queue_position(application=Application.objects.get(pk=after[0].pk)) == 7


def test_the_same_seed_gives_the_same_order_and_another_seed_another():
    ids = list(range(1000, 1040))
    shuffled = random.Random(7).sample(ids, len(ids))
    assert lottery.draw_order(SEED, shuffled) == lottery.draw_order(SEED, ids) == by_hand(SEED, ids)
    assert lottery.draw_order("другое зерно", ids) != lottery.draw_order(SEED, ids)


def test_a_draw_without_a_seed_makes_and_stores_one(group, clock):
    clock.set(OPENS)
    entries = apply(group, 4)
    clock.set(WINDOW_ENDS)
    draw = lottery_draw(group=group, actor=None)
    assert len(draw.seed) == 32
    assert draw.order == by_hand(draw.seed, [a.pk for a in entries])


def test_drawing_before_the_window_closes_is_refused(group, clock):
    clock.set(OPENS + dt.timedelta(minutes=1))
    entries = apply(group, 3)
    clock.set(WINDOW_ENDS - dt.timedelta(seconds=1))
    with pytest.raises(DomainError) as info:
        lottery_draw(group=group, actor=None, seed=SEED)
    assert info.value.code == "window_open"
    assert info.value.messages == ["Окно жеребьёвки ещё не закрыто: заявки принимаются до 25 августа 2025 г. 13:00."]
    assert not LotteryDraw.objects.exists()
    assert statuses(entries) == [S.SUBMITTED] * 3
    assert group_promote_waitlist(group=group) == []


def test_a_second_draw_for_the_window_is_refused(group, clock):
    clock.set(OPENS)
    entries = apply(group, 5)
    clock.set(WINDOW_ENDS)
    first = lottery_draw(group=group, actor=None, seed=SEED)
    before = statuses(entries)
    ranks = list(Application.objects.filter(group=group).order_by("pk").values_list("lottery_rank", flat=True))
    with pytest.raises(DomainError) as info:
        lottery_draw(group=group, actor=None, seed="a better seed")
    assert info.value.code == "lottery_once_per_window"
    assert info.value.messages == ["Жеребьёвка для этого окна уже проведена."]
    assert list(LotteryDraw.objects.values_list("pk", flat=True)) == [first.pk]
    assert statuses(entries) == before
    assert list(Application.objects.filter(group=group).order_by("pk").values_list("lottery_rank", flat=True)) == ranks


def test_a_queue_group_has_no_draw(clock):
    group = f.GroupFactory()
    with pytest.raises(DomainError) as info:
        lottery_draw(group=group, actor=None)
    assert info.value.code == "not_lottery"
    assert not LotteryDraw.objects.exists()


def test_withdrawn_applications_are_not_drawn_and_fewer_entrants_than_seats_all_get_one(group, clock):
    clock.set(OPENS)
    entries = apply(group, 3)
    application_withdraw(application=entries[0], actor=None)
    clock.set(WINDOW_ENDS + dt.timedelta(minutes=1))
    late = apply(group, 2)
    draw = lottery_draw(group=group, actor=None, seed=SEED)
    assert sorted(draw.order) == sorted(a.pk for a in entries[1:])
    # Two drawn get two seats; the third seat goes to the first who applied after the window.
    assert statuses(entries[1:]) == [S.INVITED] * 2
    assert statuses(late) == [S.INVITED, S.WAITLISTED]
