"""Any sequence of workflow actions keeps the seats and the statuses sound.

A Hypothesis state machine applies children, withdraws, invites, waitlists, reviews, rejects (with a
reason), enrolls, ends enrollments, expires invitations, lets a lottery window close and draws it — all
through the services, on two queue groups and one lottery group. After every step:

* ``enrolled_count`` equals the active enrollments and ``held_count`` the invited applications;
* enrolled + held never exceeds the capacity;
* the enrolled applications, and only they, have an enrollment;
* every application is in exactly one valid status, the last of an unbroken history;
* a child has at most one open application per group;
* nobody waits while a seat is free and nothing blocks (only an undrawn lottery holds the queue).

A refused action must be refused for a reason the state before it explains, and change nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.core.errors import CapacityError, DomainError
from kruzhok.enrollment.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Enrollment,
    EnrollmentStatus,
    LotteryDraw,
    RejectReason,
)
from kruzhok.enrollment.services import (
    application_enroll,
    application_submit,
    application_transition,
    application_withdraw,
    enrollment_end,
    invitations_expire,
    lottery_draw,
)
from kruzhok.enrollment.tests.clock import (
    START,
    Clock,
    clock_fixture,  # noqa: F401  (the `clock` fixture)
)

pytestmark = pytest.mark.django_db

S = ApplicationStatus
STATUSES = set(S.values)
START_DATE = dt.date(2025, 9, 1)
PICK = st.integers(0, 1000)


def free_seats(group: Group) -> int:
    group.refresh_from_db()
    return group.capacity - group.enrolled_count - group.held_count


class ApplicationWorkflow(RuleBasedStateMachine):
    clock: Clock

    def __init__(self) -> None:
        super().__init__()
        now = self.clock.set(START)
        self.groups = [
            f.GroupFactory(capacity=2),
            f.GroupFactory(capacity=1),
            f.GroupFactory(capacity=2, allocation=Group.Allocation.LOTTERY,
                           enrollment_opens_at=now - dt.timedelta(hours=1),
                           lottery_window_ends_at=now + dt.timedelta(hours=1)),
        ]
        self.lottery = self.groups[2]
        self.children = [f.ChildFactory() for _ in range(5)]
        self.actor = f.UserFactory(password=None)
        self.reason = RejectReason.objects.order_by("code").first()
        self.applications: list[int] = []
        self.enrollments: list[int] = []
        self.drawn = False

    # --- helpers -------------------------------------------------------------------------------------

    def _pick(self, pick: int, to_status: str) -> Application:
        """Mostly an application that may make the move (so that the moves happen), now and then any."""
        pool = self.applications
        if pick % 5:
            movable = [status for status, onward in TRANSITIONS.items() if to_status in onward]
            pool = list(Application.objects.filter(pk__in=self.applications, status__in=movable)
                        .order_by("pk").values_list("pk", flat=True)) or pool
        return Application.objects.get(pk=pool[(pick // 5) % len(pool)])

    def _state(self) -> Any:
        """Everything an action may change, to compare after a refusal."""
        return (
            sorted(Application.objects.filter(pk__in=self.applications).values_list("pk", "status", "lottery_rank")),
            sorted(Enrollment.objects.filter(group__in=self.groups).values_list("pk", "status")),
            sorted(Group.objects.filter(pk__in=[g.pk for g in self.groups]).values_list(
                "pk", "enrolled_count", "held_count")),
            ApplicationStatusChange.objects.filter(application__in=self.applications).count(),
        )

    def _refused(self, action, expected_codes: set[str]) -> DomainError:
        before = self._state()
        with pytest.raises(DomainError) as info:
            action()
        assert info.value.code in expected_codes, (info.value.code, expected_codes)
        assert self._state() == before
        event(f"refused: {info.value.code}")  # (shown by --hypothesis-show-statistics)
        return info.value

    def _window_open(self) -> bool:
        return self.clock.now < self.lottery.lottery_window_ends_at

    def _lottery_pending(self, group: Group) -> bool:
        return group.pk == self.lottery.pk and not LotteryDraw.objects.filter(group=group).exists()

    def _waiting(self, group: Group) -> bool:
        return Application.objects.filter(group=group, status=S.WAITLISTED).exists()

    def _transition(self, pick: int, to_status: str, **kwargs) -> None:
        application = self._pick(pick, to_status)
        group = application.group
        if to_status not in TRANSITIONS[application.status]:
            self._refused(lambda: application_transition(application=application, to_status=to_status,
                                                         actor=self.actor, **kwargs), {"bad_transition"})
        elif to_status == S.INVITED and free_seats(group) <= 0:
            self._refused(lambda: application_transition(application=application, to_status=to_status,
                                                         actor=self.actor, **kwargs), {"group_seats_not_oversold"})
        else:
            application_transition(application=application, to_status=to_status, actor=self.actor, **kwargs)
            status = Application.objects.get(pk=application.pk).status
            event(f"{application.status} -> {status}")
            # Waitlisted into a free seat, it may be invited at once (the queue moves up).
            assert status == to_status or (to_status == S.WAITLISTED and status == S.INVITED)

    # --- rules ---------------------------------------------------------------------------------------

    @rule(child=st.integers(0, 4), group=st.integers(0, 2))
    def apply(self, child: int, group: int) -> None:
        kid, target = self.children[child], Group.objects.get(pk=self.groups[group].pk)
        if Application.objects.filter(child=kid, group=target, status__in=OPEN_STATUSES).exists():
            self._refused(lambda: application_submit(child=kid, group=target, actor=self.actor),
                          {"application_one_open_per_group"})
            return
        free, waiting, pending = free_seats(target), self._waiting(target), self._lottery_pending(target)
        application = application_submit(child=kid, group=target, actor=self.actor)
        self.applications.append(application.pk)
        if target.pk == self.lottery.pk and self._window_open():
            expected = S.SUBMITTED
        elif free > 0 and not waiting and not pending:
            expected = S.INVITED
        else:
            expected = S.WAITLISTED
        assert Application.objects.get(pk=application.pk).status == expected
        event(f"applied: {expected}")

    @rule(child=st.integers(0, 4), group=st.integers(0, 2))
    def apply_more(self, child: int, group: int) -> None:
        self.apply(child, group)  # (applying is the commonest action: twice the weight)

    @precondition(lambda self: self.applications)
    @rule(pick=PICK)
    def withdraw(self, pick: int) -> None:
        application = self._pick(pick, S.WITHDRAWN)
        if application.is_open:
            application_withdraw(application=application, actor=self.actor)
            assert Application.objects.get(pk=application.pk).status == S.WITHDRAWN
            event(f"{application.status} -> withdrawn")
        else:
            self._refused(lambda: application_withdraw(application=application, actor=self.actor),
                          {"bad_transition"})

    @precondition(lambda self: self.applications)
    @rule(pick=PICK)
    def review(self, pick: int) -> None:
        self._transition(pick, S.UNDER_REVIEW)

    @precondition(lambda self: self.applications)
    @rule(pick=PICK)
    def invite(self, pick: int) -> None:
        self._transition(pick, S.INVITED)

    @precondition(lambda self: self.applications)
    @rule(pick=PICK)
    def waitlist(self, pick: int) -> None:
        self._transition(pick, S.WAITLISTED)

    @precondition(lambda self: self.applications)
    @rule(pick=PICK)
    def reject(self, pick: int) -> None:
        self._transition(pick, S.REJECTED, reject_reason=self.reason, note="проверка")

    @precondition(lambda self: self.applications)
    @rule(pick=PICK)
    def expire(self, pick: int) -> None:
        self._transition(pick, S.EXPIRED)

    @precondition(lambda self: self.applications)
    @rule(pick=PICK)
    def enroll(self, pick: int) -> None:
        application = self._pick(pick, S.ENROLLED)
        group = application.group

        def enroll() -> Enrollment:
            return application_enroll(application=application, actor=self.actor, start_date=START_DATE)

        full = application.status != S.INVITED and free_seats(group) <= 0
        if S.ENROLLED not in TRANSITIONS[application.status]:
            self._refused(enroll, {"bad_transition"})
        elif Enrollment.objects.filter(child=application.child, group=group, status=EnrollmentStatus.ACTIVE).exists():
            # (The child was enrolled by an earlier application, then applied again.)
            self._refused(enroll, {"enrollment_one_active_per_group"} | ({"group_not_overbooked"} if full else set()))
        elif full:
            assert isinstance(self._refused(enroll, {"group_not_overbooked"}), CapacityError)
        else:
            self.enrollments.append(enroll().pk)
            event("enrolled")
            assert Application.objects.get(pk=application.pk).status == S.ENROLLED

    @precondition(lambda self: self.enrollments)
    @rule(pick=PICK)
    def end_enrollment(self, pick: int) -> None:
        pool = self.enrollments
        if pick % 5:  # mostly an active one
            pool = list(Enrollment.objects.filter(pk__in=self.enrollments, status=EnrollmentStatus.ACTIVE)
                        .order_by("pk").values_list("pk", flat=True)) or pool
        enrollment = Enrollment.objects.get(pk=pool[(pick // 5) % len(pool)])

        def end() -> Enrollment:
            return enrollment_end(enrollment=enrollment, status=EnrollmentStatus.EXPELLED, end_date=START_DATE,
                                  reason="по заявлению", actor=self.actor)

        if enrollment.status == EnrollmentStatus.ACTIVE:
            end()
            event("enrollment ended")
        else:
            self._refused(end, {"already_ended"})

    @rule()
    def expire_invitations(self) -> None:
        self.clock.advance(days=8)
        invited = set(Application.objects.filter(pk__in=self.applications, status=S.INVITED)
                      .values_list("pk", flat=True))
        invitations_expire()
        expired = set(Application.objects.filter(pk__in=invited, status=S.EXPIRED).values_list("pk", flat=True))
        assert expired == invited

    @precondition(lambda self: self._window_open()
                  and Application.objects.filter(group=self.lottery).count() >= 2)
    @rule()
    def close_the_lottery_window(self) -> None:
        self._refused(self._draw, {"window_open"})  # not yet
        self.clock.set(self.lottery.lottery_window_ends_at)

    def _draw(self) -> LotteryDraw:
        return lottery_draw(group=self.lottery, actor=self.actor, seed="машина")

    @precondition(lambda self: not self.drawn and not self._window_open())
    @rule()
    def draw(self) -> None:
        draw = self._draw
        entries = set(Application.objects.filter(
            group=self.lottery, status__in=(S.SUBMITTED, S.UNDER_REVIEW)).values_list("pk", flat=True))
        assert set(draw().order) == entries
        assert not Application.objects.filter(pk__in=entries, status__in=(S.SUBMITTED, S.UNDER_REVIEW)).exists()
        event(f"drawn: {min(len(entries), 3)}+ entries")
        self.drawn = True
        self._refused(draw, {"lottery_once_per_window"})

    # --- invariants ----------------------------------------------------------------------------------

    @invariant()
    def seats_are_counted_never_oversold_and_the_queue_moves_up(self) -> None:
        def count(model, **where):
            rows = model.objects.filter(group=OuterRef("pk"), **where).values("group")
            return Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField())

        drawn = set(LotteryDraw.objects.filter(group=self.lottery).values_list("group", flat=True))
        groups = Group.objects.filter(pk__in=[g.pk for g in self.groups]).annotate(
            active=Coalesce(count(Enrollment, status=EnrollmentStatus.ACTIVE), 0),
            invited=Coalesce(count(Application, status=S.INVITED), 0),
            waiting=Coalesce(count(Application, status=S.WAITLISTED), 0),
        )
        for group in groups:
            assert (group.enrolled_count, group.held_count) == (group.active, group.invited)
            assert group.active + group.invited <= group.capacity
            pending = group.pk == self.lottery.pk and group.pk not in drawn
            if group.active + group.invited < group.capacity and not pending:
                assert group.waiting == 0, f"{group.waiting} waiting for a free seat in {group}"

    @invariant()
    def every_application_has_one_valid_status_at_the_end_of_its_history(self) -> None:
        history: dict[int, list[tuple[str, str]]] = {}
        for pk, before, after in ApplicationStatusChange.objects.filter(
                application__in=self.applications).order_by("at", "id").values_list(
                "application", "from_status", "to_status"):
            history.setdefault(pk, []).append((before, after))
        rows = list(Application.objects.filter(pk__in=self.applications).values_list("pk", "status", "child", "group"))
        for pk, status, _child, _group in rows:
            assert status in STATUSES
            steps = history[pk]
            assert steps[0][0] == ""
            assert all(later[0] == earlier[1] and later[1] in TRANSITIONS[earlier[1]]
                       for earlier, later in zip(steps, steps[1:], strict=False))
            assert steps[-1][1] == status
        # At most one open application per child and group.
        open_pairs = [(child, group) for _pk, status, child, group in rows if status in OPEN_STATUSES]
        assert len(open_pairs) == len(set(open_pairs))
        # The enrolled, and only they, have an enrollment.
        enrolled = {pk for pk, status, _child, _group in rows if status == S.ENROLLED}
        assert enrolled == set(Enrollment.objects.filter(application__in=self.applications)
                               .values_list("application", flat=True))


def test_any_sequence_of_actions_keeps_seats_and_statuses_sound(clock):
    ApplicationWorkflow.clock = clock
    run_state_machine_as_test(
        ApplicationWorkflow,
        settings=settings(max_examples=20, stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
