"""Every rule the database enforces reaches the user as a readable, translated refusal.

For each named constraint with its own message: a write that breaks it (bypassing forms and services)
raises IntegrityError naming it, and ``integrity_as_domain_error()`` turns that into a DomainError
whose message is the constraint's ``violation_error_message`` in the active language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext

from kruzhok import factories as f
from kruzhok.accounts.models import Role, RoleGrant
from kruzhok.catalog.models import Direction
from kruzhok.core.db import CAPACITY_CONSTRAINTS, _constraints, constraint_for, integrity_as_domain_error
from kruzhok.core.errors import CapacityError, DomainError
from kruzhok.enrollment.models import Application, ApplicationStatus, Enrollment, LotteryDraw
from kruzhok.events.models import Partnership
from kruzhok.people.models import Child

pytestmark = pytest.mark.django_db

D = dt.date


def _overbook() -> None:
    group = f.GroupFactory(capacity=1)
    f.EnrollmentFactory(group=group)
    f.EnrollmentFactory(group=group)


def _invite_past_the_seats() -> None:
    group = f.GroupFactory(capacity=2)
    f.EnrollmentFactory(group=group)
    f.ApplicationFactory(group=group, status=ApplicationStatus.INVITED)
    f.ApplicationFactory(group=group, status=ApplicationStatus.INVITED)


def _enroll_into_a_held_seat() -> None:
    group = f.GroupFactory(capacity=1)
    f.ApplicationFactory(group=group, status=ApplicationStatus.INVITED)
    f.EnrollmentFactory(group=group)


def _draw_twice() -> None:
    opens = timezone.now() - dt.timedelta(days=2)
    group = f.GroupFactory(allocation="lottery", enrollment_opens_at=opens,
                           lottery_window_ends_at=opens + dt.timedelta(days=1))
    for seed in ("first", "second"):
        LotteryDraw.objects.create(group=group, seed=seed, window_start=opens, window_end=group.lottery_window_ends_at)


def _second_active_enrollment() -> None:
    first = f.EnrollmentFactory()
    Enrollment.objects.create(child=first.child, group=first.group, start_date=first.start_date)


def _second_open_application() -> None:
    first = f.ApplicationFactory()
    Application.objects.create(child=first.child, group=first.group)


def _same_national_id() -> None:
    f.ChildFactory(national_id_kind=Child.IdKind.SNILS, national_id="11223344595")
    f.ChildFactory(national_id_kind=Child.IdKind.SNILS, national_id="11223344595")


def _merged_into_self() -> None:
    child = f.ChildFactory()
    Child.objects.filter(pk=child.pk).update(merged_into=F("id"))


def _decided_before_submitted() -> None:
    now = timezone.now()
    f.ApplicationFactory(submitted_at=now, decided_at=now - dt.timedelta(hours=1))


def _partnership(start: dt.date, end: dt.date) -> None:
    Partnership.objects.create(kind=Partnership.Kind.NETWORK, title="Договор", organization=f.OrganizationFactory(),
                               start_date=start, end_date=end)


def _session(start: dt.time | None, end: dt.time) -> None:
    from kruzhok.events.models import EventDate

    EventDate.objects.create(event=f.EventFactory(), date=D(2025, 3, 10), start_time=start, end_time=end)


def _same_settlement() -> None:
    first = f.SettlementFactory()
    f.SettlementFactory(municipality=first.municipality, name=first.name)


def _same_population_cell() -> None:
    first = f.PopulationFactory()
    f.PopulationFactory(municipality=first.municipality, year=first.year, age=first.age)


def _registered_twice() -> None:
    from kruzhok.events.models import EventRegistration

    first = EventRegistration.objects.create(event=f.EventFactory(), child=f.ChildFactory())
    EventRegistration.objects.create(event=first.event, child=first.child)


def _report_period(start: dt.date, end: dt.date) -> None:
    from kruzhok.reports.models import GeneratedReport

    GeneratedReport.objects.create(template="municipal", region=f.RegionFactory(), period_start=start, period_end=end)


def _candidate(*, ordered: bool, twice: bool = False) -> None:
    from kruzhok.dedup.models import Candidate

    a, b = sorted([f.ChildFactory(), f.ChildFactory()], key=lambda c: c.pk)
    first, second = (a, b) if ordered else (b, a)
    for _ in range(2 if twice else 1):
        Candidate.objects.create(child_a=first, child_b=second, municipality=a.municipality, match_weight=10,
                                 match_probability=0.9)


def _linked_twice() -> None:
    first = f.GuardianLinkFactory()
    f.GuardianLinkFactory(guardian=first.guardian, child=first.child, relation="father")


# (constraint, a write that breaks it); several writes for the rules with more than one way to break them.
VIOLATIONS: list[tuple[str, str, Callable[[], object]]] = [
    # dates in order
    ("enrollment_dates_ordered", "end-before-start",
     lambda: f.EnrollmentFactory(status="completed", start_date=D(2025, 9, 1), end_date=D(2025, 8, 31))),
    ("enrollment_ended_has_end_date", "no-end-date", lambda: f.EnrollmentFactory(status="expelled", end_date=None)),
    ("group_period_ordered", "end-before-start",
     lambda: f.GroupFactory(period_start=D(2025, 9, 1), period_end=D(2025, 6, 1))),
    ("group_window_ordered", "closes-before-opens",
     lambda: f.GroupFactory(enrollment_opens_at=timezone.now(),
                            enrollment_closes_at=timezone.now() - dt.timedelta(days=1))),
    ("employment_dates_ordered", "left-before-hired",
     lambda: f.EmploymentFactory(start_date=D(2020, 9, 1), end_date=D(2019, 9, 1))),
    ("category_dates_ordered", "ends-before-starts",
     lambda: f.ChildCategoryFactory(valid_from=D(2025, 1, 1), valid_to=D(2024, 1, 1))),
    ("consent_dates_ordered", "withdrawn-before-given",
     lambda: f.ConsentFactory(given_at=timezone.now(), withdrawn_at=timezone.now() - dt.timedelta(days=1))),
    ("event_dates_ordered", "ends-before-starts",
     lambda: f.EventFactory(start_date=D(2025, 3, 10), end_date=D(2025, 3, 9))),
    ("event_date_times_ordered", "ends-before-starts", lambda: _session(dt.time(17, 0), dt.time(16, 0))),
    ("event_date_times_ordered", "end-without-start", lambda: _session(None, dt.time(16, 0))),
    ("partnership_dates_ordered", "ends-before-starts", lambda: _partnership(D(2024, 1, 1), D(2023, 12, 31))),
    ("slot_times_ordered", "ends-before-starts",
     lambda: f.ScheduleSlotFactory(starts_at=dt.time(17, 0), ends_at=dt.time(16, 0))),
    ("application_decided_after_submitted", "decided-before-submitted", _decided_before_submitted),
    # ages and other bounds
    ("programme_ages_sane", "from-above-to", lambda: f.ProgrammeFactory(age_from=14, age_to=7)),
    ("programme_ages_sane", "to-above-18", lambda: f.ProgrammeFactory(age_from=7, age_to=19)),
    ("group_ages_sane", "from-above-to", lambda: f.GroupFactory(age_from=12, age_to=10)),
    ("group_ages_sane", "to-above-18", lambda: f.GroupFactory(age_from=12, age_to=21)),
    ("child_birth_date_sane", "before-1990", lambda: f.ChildFactory(birth_date=D(1989, 12, 31))),
    ("child_grade_sane", "grade-13", lambda: f.ChildFactory(grade=13)),
    ("population_age_child", "age-18", lambda: f.PopulationFactory(age=18)),
    ("population_year_sane", "year-1999", lambda: f.PopulationFactory(year=1999)),
    ("slot_weekday_valid", "weekday-0", lambda: f.ScheduleSlotFactory(weekday=0)),
    ("group_capacity_positive", "no-seats", lambda: f.GroupFactory(capacity=0)),
    ("programme_hours_positive", "no-hours", lambda: f.ProgrammeFactory(hours=0)),
    ("programme_paid_has_price", "zero-price", lambda: f.ProgrammeFactory(funding="paid", price=0)),
    ("programme_certificate_has_cost", "zero-cost",
     lambda: f.ProgrammeFactory(funding="certificate", certificate_hour_cost=0)),
    # who and what
    ("child_id_has_kind", "id-without-kind", lambda: f.ChildFactory(national_id="11223344595")),
    ("child_not_merged_into_self", "self-merge", _merged_into_self),
    ("participant_is_someone", "nobody", lambda: f.EventParticipantFactory(child=None)),
    ("application_reject_has_reason", "no-reason", lambda: f.ApplicationFactory(status="rejected")),
    ("grant_scope_matches_role", "teacher-without-organization",
     lambda: RoleGrant.objects.create(user=f.UserFactory(password=None), role=Role.TEACHER)),
    # seats and uniqueness (unique indexes: SQLite names only their columns)
    ("group_not_overbooked", "third-child-in-one-seat", _overbook),
    ("group_seats_not_oversold", "second-invitation-for-one-seat", _invite_past_the_seats),
    ("group_seats_not_oversold", "enrolled-into-a-held-seat", _enroll_into_a_held_seat),
    ("group_lottery_has_window", "no-window", lambda: f.GroupFactory(allocation="lottery")),
    ("group_lottery_has_window", "window-ends-before-it-opens",
     lambda: f.GroupFactory(allocation="lottery", enrollment_opens_at=timezone.now(),
                            lottery_window_ends_at=timezone.now() - dt.timedelta(hours=1))),
    ("lottery_once_per_window", "drawn-twice", _draw_twice),
    ("enrollment_one_active_per_group", "twice-active", _second_active_enrollment),
    ("application_one_open_per_group", "twice-open", _second_open_application),
    ("child_unique_national_id", "same-snils", _same_national_id),
    ("programme_paid_has_price", "no-price", lambda: f.ProgrammeFactory(funding="paid", price=None)),
    ("direction_unique_code", "same-code", lambda: Direction.objects.create(country="RU", code="technical", name="x")),
    ("settlement_unique_name", "same-name", _same_settlement),
    ("population_unique_cell", "same-cell", _same_population_cell),
    ("guardian_link_unique", "linked-twice", _linked_twice),
    ("registration_once_per_child", "registered-twice", _registered_twice),
    ("report_period_ordered", "ends-before-starts", lambda: _report_period(D(2025, 2, 1), D(2025, 1, 31))),
    ("dedup_candidate_ordered", "pair-in-reverse", lambda: _candidate(ordered=False)),
    ("dedup_candidate_unique_pair", "proposed-twice", lambda: _candidate(ordered=True, twice=True)),
]
CASES = [pytest.param(name, write, id=f"{name}:{how}") for name, how, write in VIOLATIONS]


def constraint(name: str):
    return _constraints()[name][1]


def refusal(write: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as info, integrity_as_domain_error(), transaction.atomic():
        write()
    return info.value


def test_every_constraint_with_its_own_message_is_exercised():
    own_message = {
        name for name, (model, c) in _constraints().items()
        if model.__module__.startswith("kruzhok.") and c.violation_error_message != c.default_violation_error_message
    }
    assert own_message == {name for name, _how, _write in VIOLATIONS}


@pytest.mark.parametrize(("name", "write"), CASES)
def test_the_database_refuses_the_write(name, write):
    model = _constraints()[name][0]
    rows_before = model.objects.count()
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        write()
    assert constraint_for(info.value) is constraint(name)
    assert model.objects.count() == rows_before


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
@pytest.mark.parametrize(("name", "write"), CASES)
def test_refusal_carries_the_constraint_message_in_the_active_language(name, write, language):
    with translation.override(language):
        error = refusal(write)
        expected = str(constraint(name).violation_error_message)
    assert error.code == name
    assert error.messages == [expected]
    assert isinstance(error.__cause__, IntegrityError)
    assert isinstance(error, CapacityError) == (name in CAPACITY_CONSTRAINTS)


def test_russian_message_is_the_constraint_text():
    assert refusal(_overbook).messages == ["В группе нет свободных мест."]
    assert refusal(VIOLATIONS[0][2]).messages == ["Дата окончания обучения раньше даты зачисления."]


def test_unnamed_integrity_error_gets_a_general_message():
    f.OrganizationFactory(tax_id="7701234567")
    error = refusal(lambda: f.OrganizationFactory(tax_id="7701234567"))
    assert error.code == "integrity"
    assert error.messages == ["Данные противоречат правилам целостности."]


def test_other_errors_pass_through_untouched():
    with pytest.raises(KeyError), integrity_as_domain_error():
        raise KeyError("not a database error")


# --- the messages really are translated --------------------------------------------------------------

# What this services say when they refuse (msgids; the constraint messages are added below).
SERVICE_MESSAGES = [
    "В группе «%(group)s» нет свободных мест.",
    "Заявку в статусе «%(from)s» нельзя перевести в статус «%(to)s».",
    "Укажите причину отказа.",
    "Укажите, чем закончилось обучение.",
    "Обучение уже завершено.",
    "Данные противоречат правилам целостности.",
    "Группа не набирает детей.",
    "Приём заявок в эту группу откроется %(opens)s.",
    "Приём заявок в эту группу закрыт.",
    "Группа для детей %(f)s–%(t)s лет, а ребёнку на %(on)s будет %(age)s.",
    "Этот ключ повтора уже использован для другой заявки.",
    "Группа не распределяет места жеребьёвкой.",
    "Окно жеребьёвки ещё не закрыто: заявки принимаются до %(closes)s.",
    "Жеребьёвка для этого окна уже проведена.",
]


@pytest.mark.parametrize("language", ["kk", "en"])
def test_refusals_read_differently_from_russian(language):
    """Needs the compiled catalogs: ``make compilemessages`` after the .po files change."""
    locale = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES"
    mo, po = locale / "django.mo", locale / "django.po"
    assert mo.exists(), f"{mo} is missing: run `make compilemessages`"
    assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older than {po}: run `make compilemessages`"
    names = dict.fromkeys(name for name, _how, _write in VIOLATIONS)
    with translation.override("ru"):
        messages = [str(constraint(name).violation_error_message) for name in names]
    messages += SERVICE_MESSAGES
    with translation.override(language):
        untranslated = [m for m in messages if gettext(m) == m]
        translated_refusal = refusal(_overbook).messages
    assert not untranslated, f"not translated to {language}: {untranslated}"
    assert translated_refusal != ["В группе нет свободных мест."]
