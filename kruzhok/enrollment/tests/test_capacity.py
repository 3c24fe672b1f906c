"""A group never holds more active enrollments than its seats, whatever writes the rows.

After every operation ``Group.enrolled_count`` must equal the group's active enrollments: the database
triggers keep it, and the check constraint ``group_not_overbooked`` refuses the row that would overbook.
Invited applications hold seats too (``held_count``, proved in ``test_held_seats.py``): a seat held by an
invitation is not free for anyone else, but goes with the invited child into the enrollment.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from kruzhok import factories as f
from kruzhok.catalog.models import Group
from kruzhok.core.errors import CapacityError, DomainError
from kruzhok.core.models import AuditLog
from kruzhok.enrollment.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Enrollment,
    EnrollmentStatus,
)
from kruzhok.enrollment.services import application_transition, enrollment_create, enrollment_end

START = dt.date(2025, 9, 1)

pytestmark = pytest.mark.django_db


def seats_taken(group: Group) -> int:
    """The group's counters, checked against the rows they count; returns the active enrollments."""
    group.refresh_from_db()
    active = Enrollment.objects.filter(group=group, status=EnrollmentStatus.ACTIVE).count()
    invited = Application.objects.filter(group=group, status=ApplicationStatus.INVITED).count()
    assert (group.enrolled_count, group.held_count) == (active, invited)
    assert active + invited <= group.capacity
    return active


def fill(group: Group, n: int) -> list[Enrollment]:
    return [f.EnrollmentFactory(group=group) for _ in range(n)]


@pytest.fixture
def actor():
    return f.UserFactory(password=None)


@pytest.fixture
def full_group() -> Group:
    group = f.GroupFactory(name="Робототехника-1", capacity=2)
    fill(group, 2)
    assert seats_taken(group) == 2
    return group


def test_counter_follows_each_enrollment():
    group = f.GroupFactory(capacity=3)
    assert seats_taken(group) == 0
    for expected in (1, 2, 3):
        f.EnrollmentFactory(group=group)
        assert seats_taken(group) == expected


def test_direct_insert_beyond_capacity_is_refused(full_group):
    child = f.ChildFactory()
    with pytest.raises(IntegrityError, match="group_not_overbooked"), transaction.atomic():
        Enrollment.objects.create(child=child, group=full_group, start_date=START)
    assert not Enrollment.objects.filter(child=child).exists()
    assert seats_taken(full_group) == 2


def test_an_ended_enrollment_inserted_into_a_full_group_takes_no_seat(full_group):
    f.EnrollmentFactory(group=full_group, status=EnrollmentStatus.COMPLETED, end_date=dt.date(2025, 12, 1))
    assert Enrollment.objects.filter(group=full_group).count() == 3
    assert seats_taken(full_group) == 2


def test_service_refuses_with_a_translated_capacity_error(full_group, actor):
    child = f.ChildFactory()
    with pytest.raises(CapacityError) as info:
        enrollment_create(child=child, group=full_group, start_date=START, actor=actor)
    assert info.value.code == "group_not_overbooked"
    assert info.value.messages == ["В группе «Робототехника-1» нет свободных мест."]
    for language in ("en", "kk"):
        with translation.override(language):
            with pytest.raises(CapacityError) as info:
                enrollment_create(child=child, group=full_group, start_date=START, actor=actor)
            expected = gettext("В группе «%(group)s» нет свободных мест.") % {"group": "Робототехника-1"}
        assert info.value.messages == [expected]
    assert not Enrollment.objects.filter(child=child).exists()
    assert not AuditLog.objects.filter(action="enrollment.create").exists()
    assert seats_taken(full_group) == 2


@pytest.mark.parametrize("status", [ApplicationStatus.WAITLISTED, ApplicationStatus.UNDER_REVIEW])
def test_refused_enrollment_leaves_the_application_untouched(full_group, actor, status):
    application = f.ApplicationFactory(group=full_group, status=status)
    with pytest.raises(CapacityError) as info:
        enrollment_create(child=application.child, group=full_group, start_date=START, actor=actor,
                          application=application)
    assert info.value.messages == ["В группе «Робототехника-1» нет свободных мест."]
    application.refresh_from_db()
    assert application.status == status
    assert not ApplicationStatusChange.objects.filter(application=application).exists()
    assert not Enrollment.objects.filter(child=application.child).exists()
    assert seats_taken(full_group) == 2


def test_an_invited_child_enrolls_into_the_seat_held_for_it(actor):
    group = f.GroupFactory(capacity=2)
    fill(group, 1)
    invited = f.ApplicationFactory(group=group, status=ApplicationStatus.INVITED)
    assert seats_taken(group) == 1
    with pytest.raises(CapacityError):  # the last seat is held: nobody else gets it
        enrollment_create(child=f.ChildFactory(), group=group, start_date=START, actor=actor)
    enrollment = enrollment_create(child=invited.child, group=group, start_date=START, actor=actor,
                                   application=invited)
    assert Application.objects.get(pk=invited.pk).status == ApplicationStatus.ENROLLED
    assert Enrollment.objects.get(pk=enrollment.pk).application_id == invited.pk
    assert seats_taken(group) == 2
    group.refresh_from_db()
    assert group.held_count == 0


def test_service_enrolls_into_a_free_seat_and_closes_the_application(actor):
    group = f.GroupFactory(capacity=1)
    application = f.ApplicationFactory(group=group, status=ApplicationStatus.INVITED)
    enrollment = enrollment_create(child=application.child, group=group, start_date=START, actor=actor,
                                   application=application, order_number="12-д")
    assert Enrollment.objects.get(pk=enrollment.pk).application_id == application.pk
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.ENROLLED
    assert AuditLog.objects.filter(action="enrollment.create", object_id=str(enrollment.pk), actor=actor).exists()
    assert seats_taken(group) == 1


def test_ending_an_enrollment_frees_the_seat(full_group, actor):
    leaving = Enrollment.objects.filter(group=full_group).first()
    ended = enrollment_end(enrollment=leaving, status=EnrollmentStatus.COMPLETED, end_date=dt.date(2025, 12, 20),
                           reason="выпуск", actor=actor)
    assert Enrollment.objects.get(pk=ended.pk).status == EnrollmentStatus.COMPLETED
    assert seats_taken(full_group) == 1
    newcomer = enrollment_create(child=f.ChildFactory(), group=full_group, start_date=dt.date(2026, 1, 10),
                                 actor=actor)
    assert Enrollment.objects.get(pk=newcomer.pk).status == EnrollmentStatus.ACTIVE
    assert seats_taken(full_group) == 2
    with pytest.raises(CapacityError):
        enrollment_create(child=f.ChildFactory(), group=full_group, start_date=dt.date(2026, 1, 10), actor=actor)
    assert seats_taken(full_group) == 2


def test_ending_refuses_bad_input_and_keeps_the_seat(full_group, actor):
    enrollment = Enrollment.objects.filter(group=full_group).first()
    with pytest.raises(DomainError) as info:
        enrollment_end(enrollment=enrollment, status=EnrollmentStatus.ACTIVE, end_date=START, reason="", actor=actor)
    assert info.value.code == "end_status_required"
    with pytest.raises(DomainError) as info:
        enrollment_end(enrollment=enrollment, status=EnrollmentStatus.EXPELLED, end_date=START - dt.timedelta(days=1),
                       reason="", actor=actor)
    assert info.value.code == "enrollment_dates_ordered"
    assert info.value.messages == ["Дата окончания обучения раньше даты зачисления."]
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
    assert seats_taken(full_group) == 2
    enrollment_end(enrollment=enrollment, status=EnrollmentStatus.EXPELLED, end_date=START, reason="", actor=actor)
    with pytest.raises(DomainError) as info:
        enrollment_end(enrollment=enrollment, status=EnrollmentStatus.COMPLETED, end_date=START, reason="",
                       actor=actor)
    assert info.value.code == "already_ended"
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.EXPELLED
    assert seats_taken(full_group) == 1


def test_reactivating_beyond_capacity_is_refused():
    group = f.GroupFactory(capacity=1)
    ended = f.EnrollmentFactory(group=group, status=EnrollmentStatus.COMPLETED, end_date=dt.date(2025, 10, 1))
    assert seats_taken(group) == 0
    ended.status = EnrollmentStatus.ACTIVE
    ended.save()
    assert seats_taken(group) == 1
    ended.status, ended.end_date = EnrollmentStatus.TRANSFERRED, dt.date(2025, 11, 1)
    ended.save()
    assert seats_taken(group) == 0
    f.EnrollmentFactory(group=group)
    assert seats_taken(group) == 1
    ended.status = EnrollmentStatus.ACTIVE
    with pytest.raises(IntegrityError, match="group_not_overbooked"), transaction.atomic():
        ended.save()
    with pytest.raises(IntegrityError, match="group_not_overbooked"), transaction.atomic():
        Enrollment.objects.filter(pk=ended.pk).update(status=EnrollmentStatus.ACTIVE)
    assert Enrollment.objects.get(pk=ended.pk).status == EnrollmentStatus.TRANSFERRED
    assert seats_taken(group) == 1


def test_saving_an_active_enrollment_in_a_full_group_is_fine(full_group):
    enrollment = Enrollment.objects.filter(group=full_group).first()
    enrollment.order_number = "7-к"
    enrollment.save()
    assert Enrollment.objects.get(pk=enrollment.pk).order_number == "7-к"
    assert seats_taken(full_group) == 2


def test_moving_an_enrollment_updates_both_groups(full_group):
    other = f.GroupFactory(capacity=2)
    moving = Enrollment.objects.filter(group=full_group).first()
    moving.group = other
    moving.save()
    assert (seats_taken(full_group), seats_taken(other)) == (1, 1)
    Enrollment.objects.filter(pk=moving.pk).update(group=full_group)
    assert (seats_taken(full_group), seats_taken(other)) == (2, 0)


def test_moving_into_a_full_group_is_refused(full_group):
    other = f.GroupFactory(capacity=1)
    staying = f.EnrollmentFactory(group=other)
    moving = Enrollment.objects.filter(group=full_group).first()
    moving.group = other
    with pytest.raises(IntegrityError, match="group_not_overbooked"), transaction.atomic():
        moving.save()
    with pytest.raises(IntegrityError, match="group_not_overbooked"), transaction.atomic():
        Enrollment.objects.filter(pk=staying.pk).update(group=full_group)
    assert Enrollment.objects.get(pk=moving.pk).group_id == full_group.pk
    assert Enrollment.objects.get(pk=staying.pk).group_id == other.pk
    assert (seats_taken(full_group), seats_taken(other)) == (2, 1)


def test_moving_an_ended_enrollment_takes_no_seat(full_group):
    ended = f.EnrollmentFactory(status=EnrollmentStatus.COMPLETED, end_date=dt.date(2025, 12, 1))
    Enrollment.objects.filter(pk=ended.pk).update(group=full_group)
    assert seats_taken(full_group) == 2


def test_bulk_create_beyond_capacity_is_refused_whole():
    group = f.GroupFactory(capacity=3)
    children = [f.ChildFactory() for _ in range(4)]
    rows = [Enrollment(child=child, group=group, start_date=START) for child in children]
    with pytest.raises(IntegrityError, match="group_not_overbooked"), transaction.atomic():
        Enrollment.objects.bulk_create(rows)
    assert not Enrollment.objects.filter(group=group).exists()
    assert seats_taken(group) == 0
    Enrollment.objects.bulk_create([Enrollment(child=child, group=group, start_date=START) for child in children[:3]])
    assert seats_taken(group) == 3


def test_deleting_enrollments_frees_seats(full_group):
    ended = f.EnrollmentFactory(group=full_group, status=EnrollmentStatus.EXPELLED, end_date=dt.date(2025, 10, 1))
    ended.delete()
    assert seats_taken(full_group) == 2
    Enrollment.objects.filter(group=full_group).first().delete()
    assert seats_taken(full_group) == 1
    Enrollment.objects.filter(group=full_group).delete()
    assert seats_taken(full_group) == 0


def test_capacity_cannot_drop_below_the_enrolled(full_group):
    with pytest.raises(IntegrityError, match="group_not_overbooked"), transaction.atomic():
        Group.objects.filter(pk=full_group.pk).update(capacity=1)
    assert Group.objects.get(pk=full_group.pk).capacity == 2
    assert seats_taken(full_group) == 2


def test_a_stale_group_save_cannot_reset_the_counter():
    # A form or the admin loads the group, children enroll meanwhile, then the form saves every field back.
    group = f.GroupFactory(capacity=2)
    stale = Group.objects.get(pk=group.pk)
    fill(group, 2)
    stale.name = "Переименована"
    stale.save()
    assert Group.objects.get(pk=group.pk).name == "Переименована"
    assert seats_taken(group) == 2
    with pytest.raises(IntegrityError, match="group_not_overbooked"), transaction.atomic():
        f.EnrollmentFactory(group=group)
    assert seats_taken(group) == 2


def test_the_counter_cannot_be_written_directly(full_group):
    Group.objects.filter(pk=full_group.pk).update(enrolled_count=0)
    assert seats_taken(full_group) == 2
    with pytest.raises(IntegrityError, match="group_not_overbooked"), transaction.atomic():
        Group.objects.filter(pk=full_group.pk).update(enrolled_count=0, capacity=1)
    assert seats_taken(full_group) == 2
    created = Group.objects.create(programme=full_group.programme, name="Новая", capacity=3, enrolled_count=3,
                                   age_from=7, age_to=14, period_start=START, period_end=dt.date(2026, 5, 31))
    assert seats_taken(created) == 0


def test_application_transition_does_not_touch_seats(full_group):
    application = f.ApplicationFactory(group=full_group)
    application_transition(application=application, to_status=ApplicationStatus.WITHDRAWN, actor=None)
    assert seats_taken(full_group) == 2


# --- any sequence of writes keeps the invariant -----------------------------------------------------------


class EnrollmentWrites(RuleBasedStateMachine):
    """Random enroll / end / reactivate / move / delete against two small groups, compared with a model.

    Each write goes straight to the ORM (no service pre-checks): only the database stands between the
    sequence and an overbooked group. The model predicts which writes must be refused.
    """

    def __init__(self):
        super().__init__()
        self.groups = [f.GroupFactory(capacity=2), f.GroupFactory(capacity=1)]
        self.children = [f.ChildFactory() for _ in range(3)]
        self.rows: dict[int, tuple[int, int, bool]] = {}  # pk -> (child index, group index, active)

    def _active(self, group_index: int) -> int:
        return sum(1 for _c, g, active in self.rows.values() if g == group_index and active)

    def _allowed(self, child: int, group: int, exclude: int | None = None) -> bool:
        others = {pk: row for pk, row in self.rows.items() if pk != exclude}
        if any(c == child and g == group and active for c, g, active in others.values()):
            return False
        return sum(1 for _c, g, active in others.values() if g == group and active) < self.groups[group].capacity

    def _write(self, allowed: bool, write) -> None:
        if allowed:
            with transaction.atomic():
                write()
            return
        with pytest.raises(IntegrityError), transaction.atomic():
            write()

    @rule(child=st.integers(0, 2), group=st.integers(0, 1))
    def enroll(self, child, group):
        def write():
            row = Enrollment.objects.create(child=self.children[child], group=self.groups[group], start_date=START)
            self.rows[row.pk] = (child, group, True)

        self._write(self._allowed(child, group), write)

    @rule(pick=st.integers(0, 50), active=st.booleans())
    def set_status(self, pick, active):
        if not self.rows:
            return
        pk = sorted(self.rows)[pick % len(self.rows)]
        child, group, _was = self.rows[pk]

        def write():
            status = EnrollmentStatus.ACTIVE if active else EnrollmentStatus.COMPLETED
            Enrollment.objects.filter(pk=pk).update(status=status, end_date=None if active else START)
            self.rows[pk] = (child, group, active)

        self._write(not active or self._allowed(child, group, exclude=pk), write)

    @rule(pick=st.integers(0, 50), group=st.integers(0, 1))
    def move(self, pick, group):
        if not self.rows:
            return
        pk = sorted(self.rows)[pick % len(self.rows)]
        child, _old, active = self.rows[pk]

        def write():
            row = Enrollment.objects.get(pk=pk)
            row.group = self.groups[group]
            row.save()
            self.rows[pk] = (child, group, active)

        self._write(not active or self._allowed(child, group, exclude=pk), write)

    @rule(pick=st.integers(0, 50))
    def delete(self, pick):
        if not self.rows:
            return
        pk = sorted(self.rows)[pick % len(self.rows)]
        Enrollment.objects.filter(pk=pk).delete()
        del self.rows[pk]

    @invariant()
    def counters_match_rows(self):
        for index, group in enumerate(self.groups):
            assert seats_taken(group) == self._active(index)


def test_any_sequence_of_writes_keeps_the_counter_and_the_capacity():
    run_state_machine_as_test(
        EnrollmentWrites,
        settings=settings(max_examples=25, stateful_step_count=15, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )
