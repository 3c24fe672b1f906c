"""Groups, schedules, enrollments, applications (with their history) and consents of one demo municipality.

Every enrollment row follows an application that went submitted → (under review) → enrolled; besides them
the municipality has applications in every other status, a few transfers between groups of one programme,
children who left during the year and last year's completed groups.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from kruzhok.catalog.models import Group, ScheduleSlot
from kruzhok.demo.base import Ctx
from kruzhok.demo.catalog import GroupPlan, MunicipalityCatalog
from kruzhok.demo.people import Kid, MunicipalityPeople
from kruzhok.demo.spec import KG, SCHOOL, SUP
from kruzhok.enrollment.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Enrollment,
    EnrollmentStatus,
    FundingSource,
)
from kruzhok.people.models import Consent

S = ApplicationStatus
PATHS = {
    S.SUBMITTED: (S.SUBMITTED,),
    S.UNDER_REVIEW: (S.SUBMITTED, S.UNDER_REVIEW),
    S.INVITED: (S.SUBMITTED, S.UNDER_REVIEW, S.INVITED),
    S.WAITLISTED: (S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED),
    S.REJECTED: (S.SUBMITTED, S.UNDER_REVIEW, S.REJECTED),
    S.WITHDRAWN: (S.SUBMITTED, S.WITHDRAWN),
    S.EXPIRED: (S.SUBMITTED, S.INVITED, S.EXPIRED),
}
FUNDING = {"free": FundingSource.BUDGET, "paid": FundingSource.PAID, "certificate": FundingSource.CERTIFICATE,
           "state_order": FundingSource.STATE_ORDER}
WEEKDAYS = ((1, 3), (2, 4), (3, 5), (1, 4), (2, 5), (4, 6))
SPORT_WEEKDAYS = ((1, 3, 5), (2, 4, 6))
EXPEL_REASONS = ("по заявлению родителей", "смена места жительства", "по состоянию здоровья",
                 "непосещение занятий")


@dataclasses.dataclass
class _Seat:
    kid: Kid
    plan: GroupPlan
    status: str = EnrollmentStatus.ACTIVE
    start: dt.date | None = None
    end: dt.date | None = None
    reason: str = ""
    previous: _Seat | None = None
    application: Application | None = None
    enrollment: Enrollment | None = None


@dataclasses.dataclass
class MunicipalityActivity:
    groups: list[Group]
    enrollments: list[Enrollment]
    applications: list[Application]


def groups_create(*, ctx: Ctx, catalog: MunicipalityCatalog, capacities: dict[int, int],
                  last_year: list[GroupPlan]) -> None:
    """Write the planned groups with their capacity, schedules and teachers."""
    rng = ctx.rng
    previous_start = dt.date(ctx.year_start.year - 1, 9, 1)
    for plan in [*catalog.groups, *catalog.summer_groups, *last_year]:
        start, end = plan.period or (ctx.year_start, ctx.year_end)
        if plan.is_summer:
            opens = ctx.at(ctx.today - dt.timedelta(days=14), 9, 0)
            closes = ctx.at(max(dt.date(end.year, 5, 20), ctx.today + dt.timedelta(days=30)), 18, 0)
        else:
            opens = ctx.at(start - dt.timedelta(days=21), 9, 0)
            late = rng.random() < 0.3 and start != previous_start
            closes = ctx.at(ctx.year_end - dt.timedelta(days=90) if late else start + dt.timedelta(days=45), 18, 0)
        plan.group = Group(programme=plan.programme, name=plan.name, venue=plan.venue, age_from=plan.age_from,
                           age_to=plan.age_to, capacity=capacities.get(id(plan), len(plan.members) or 10),
                           period_start=start, period_end=end, enrollment_opens_at=opens,
                           enrollment_closes_at=closes, is_active=plan.is_active)
    plans = [*catalog.groups, *catalog.summer_groups, *last_year]
    Group.objects.bulk_create([p.group for p in plans])
    slots, links = [], []
    for plan in plans:
        if plan.org_type == KG:
            days, start_at, minutes = (rng.choice((1, 2, 3, 4, 5)),), (15, 30), 30
        elif plan.direction == "sport":
            days, start_at, minutes = rng.choice(SPORT_WEEKDAYS), (rng.choice((15, 16, 17, 18)), 0), 90
        elif plan.org_type == SCHOOL:
            days, start_at, minutes = rng.choice(WEEKDAYS), (rng.choice((13, 14, 15)), rng.choice((0, 30))), 45
        else:
            days, start_at, minutes = rng.choice(WEEKDAYS), (rng.choice((14, 15, 16, 17)), rng.choice((0, 30))), 90
        if plan.is_summer:
            days, start_at, minutes = (1, 2, 3, 4, 5), (9, 0), 180
        begins = dt.time(*start_at)
        ends_minutes = start_at[0] * 60 + start_at[1] + minutes
        for weekday in days:
            slots.append(ScheduleSlot(group=plan.group, weekday=weekday, starts_at=begins,
                                      ends_at=dt.time(ends_minutes // 60, ends_minutes % 60), venue=plan.venue))
        links += [Group.teachers.through(group=plan.group, teacher=t) for t in plan.teachers]
    ScheduleSlot.objects.bulk_create(slots)
    Group.teachers.through.objects.bulk_create(links)


def last_year_plans(*, ctx: Ctx, catalog: MunicipalityCatalog, people: MunicipalityPeople) -> list[GroupPlan]:
    """Last year's groups of some supplementary programmes, every pupil of which completed the course."""
    rng = ctx.rng
    start = dt.date(ctx.year_start.year - 1, 9, 1)
    candidates = [p for p in catalog.groups if p.org_type == SUP and p.name.startswith("Группа 1")]
    chosen = rng.sample(candidates, min(len(candidates), max(1, len(candidates) // 8)))
    plans = []
    by_age: dict[int, list[Kid]] = {}
    for kid in people.kids:
        by_age.setdefault(kid.age - 1, []).append(kid)  # their age last year
    for source in chosen:
        plan = dataclasses.replace(source, name="Группа 1 (прошлый учебный год)", members=[], group=None,
                                   period=(start, dt.date(start.year + 1, 5, 31)), is_active=False)
        pool = [k for age in range(plan.age_from, plan.age_to + 1) for k in by_age.get(age, [])]
        plan.members = rng.sample(pool, min(len(pool), rng.randint(8, 15)))
        plan.planned = len(plan.members) + rng.randint(0, 3)
        plans.append(plan)
    return plans


def _seats(*, ctx: Ctx, catalog: MunicipalityCatalog, people: MunicipalityPeople,
           last_year: list[GroupPlan]) -> list[_Seat]:
    rng = ctx.rng
    latest_start = min(ctx.today, ctx.year_start + dt.timedelta(days=25))
    seats: list[_Seat] = []
    for plan in catalog.groups:
        for kid in plan.members:
            seats.append(_Seat(kid=kid, plan=plan, start=ctx.day_between(ctx.year_start, latest_start)))
    # Transfers: moved from a parallel group of the same programme after a few weeks.
    siblings: dict[int, list[GroupPlan]] = {}
    for plan in catalog.groups:
        siblings.setdefault(id(plan.programme), []).append(plan)
    movable = [s for s in seats if len(siblings[id(s.plan.programme)]) > 1]
    for seat in rng.sample(movable, min(len(movable), max(1, len(seats) // 400))):
        other = next((p for p in siblings[id(seat.plan.programme)]
                      if p is not seat.plan and p.age_from <= seat.kid.age <= p.age_to), None)
        if other is None:
            continue
        before = _Seat(kid=seat.kid, plan=other, status=EnrollmentStatus.TRANSFERRED, start=ctx.year_start,
                       end=seat.start, reason="перевод в другую группу программы")
        seat.start = min(seat.start + dt.timedelta(days=1), ctx.today) if seat.start else ctx.today
        seat.previous = before
        seats.append(before)
    # Children who left during the year (their seat is free again).
    idle = [k for k in people.kids if not k.quota and 6 <= k.age <= 17]
    by_age: dict[int, list[GroupPlan]] = {}
    for plan in catalog.groups:
        for age in range(plan.age_from, plan.age_to + 1):
            by_age.setdefault(age, []).append(plan)
    for kid in rng.sample(idle, min(len(idle), max(1, len(seats) // 60))):
        plans = by_age.get(kid.age)
        if plans:
            start = ctx.year_start
            seats.append(_Seat(kid=kid, plan=rng.choice(plans), status=EnrollmentStatus.EXPELLED, start=start,
                               end=ctx.day_between(start, ctx.today), reason=rng.choice(EXPEL_REASONS)))
    for plan in last_year:
        start, end = plan.period
        for kid in plan.members:
            seats.append(_Seat(kid=kid, plan=plan, status=EnrollmentStatus.COMPLETED,
                               start=ctx.day_between(start, start + dt.timedelta(days=20)), end=end,
                               reason="освоил программу"))
    return seats


def _application(ctx: Ctx, kid: Kid, plan: GroupPlan, path: tuple[str, ...], submitted: dt.datetime,
                 decided_by: dt.datetime | None = None) -> tuple[Application, list[ApplicationStatusChange]]:
    """An application and its history along ``path``; the last step happens at ``decided_by`` when given."""
    rng = ctx.rng
    moments = [submitted]
    for _ in path[1:]:
        moments.append(moments[-1] + dt.timedelta(hours=rng.randint(2, 72)))
    if decided_by is not None and len(path) > 1:
        moments[-1] = max(decided_by, moments[-2] + dt.timedelta(minutes=5))
    channel = rng.choices(list(Application.Channel), weights=(0.78, 0.17, 0.05))[0]
    decided = next((m for status, m in zip(path, moments, strict=True)
                    if status not in (S.SUBMITTED, S.UNDER_REVIEW)), None)
    status = path[-1]
    reason = None
    if status == S.REJECTED:
        full = len(plan.members) >= (plan.group.capacity if plan.group else plan.planned)
        code = "no_seats" if full else rng.choice(("no_documents", "medical", "duplicate", "no_show", "age_mismatch"))
        reason = ctx.reject_reasons.get(code)
    application = Application(
        child=kid.child, group=plan.group, channel=channel, submitted_at=submitted, status=status,
        status_changed_at=moments[-1], answer_due_at=submitted + dt.timedelta(days=10), decided_at=decided,
        reject_reason=reason, comment="" if rng.random() < 0.9 else "Просим зачислить вместе с братом.",
    )
    history = [ApplicationStatusChange(application=application, from_status=previous, to_status=current, at=moment)
               for previous, current, moment in zip(("", *path[:-1]), path, moments, strict=True)]
    return application, history


def _extra_applications(*, ctx: Ctx, spec, catalog: MunicipalityCatalog, people: MunicipalityPeople,
                        busy: set[tuple[int, int]]) -> list[tuple[Application, list]]:
    """Applications still open or closed without an enrollment: every status of the workflow."""
    rng = ctx.rng
    current = catalog.groups
    full = [p for p in current if len(p.members) >= p.group.capacity]
    free = [p for p in current if len(p.members) < p.group.capacity]
    found = []
    held: dict[int, int] = {}  # an invitation holds a seat until it ends (the ``held_count`` triggers)
    for status, count in spec.open_applications.items():
        made = 0
        for _attempt in range(count * 20):
            if made == count:
                break
            if status == S.WAITLISTED or (status == S.REJECTED and rng.random() < 0.4):
                pool = full or current
            elif status in (S.SUBMITTED, S.UNDER_REVIEW) and catalog.summer_groups and rng.random() < 0.4:
                pool = catalog.summer_groups
            else:
                pool = free or current
            plan = rng.choice(pool)
            kid = rng.choice(people.kids)
            if not plan.age_from <= kid.age <= plan.age_to or (id(kid), id(plan)) in busy:
                continue
            if status == S.INVITED:
                if len(plan.members) + held.get(id(plan), 0) >= plan.group.capacity:
                    continue
                held[id(plan)] = held.get(id(plan), 0) + 1
            busy.add((id(kid), id(plan)))
            days_ago = rng.randint(1, 6) if status in (S.SUBMITTED, S.UNDER_REVIEW) else rng.randint(5, 40)
            submitted = ctx.at(ctx.today - dt.timedelta(days=days_ago))
            found.append(_application(ctx, kid, plan, PATHS[status], submitted))
            made += 1
    return found


def activity_build(*, ctx: Ctx, spec, catalog: MunicipalityCatalog, people: MunicipalityPeople,
                   last_year: list[GroupPlan]) -> MunicipalityActivity:
    rng = ctx.rng
    seats = _seats(ctx=ctx, catalog=catalog, people=people, last_year=last_year)
    applications, history = [], []
    for seat in seats:
        if seat.previous is not None:
            continue  # moved by an order of the organization: no new application
        submitted = ctx.at(seat.start - dt.timedelta(days=rng.randint(2, 25)))
        path = (S.SUBMITTED, S.ENROLLED) if rng.random() < 0.3 else (S.SUBMITTED, S.UNDER_REVIEW, S.ENROLLED)
        application, steps = _application(ctx, seat.kid, seat.plan, path, submitted,
                                          decided_by=ctx.at(seat.start, 10, 0))
        seat.application = application
        applications.append(application)
        history += steps
    busy = {(id(s.kid), id(s.plan)) for s in seats}
    for application, steps in _extra_applications(ctx=ctx, spec=spec, catalog=catalog, people=people, busy=busy):
        applications.append(application)
        history += steps
    Application.objects.bulk_create(applications)
    ApplicationStatusChange.objects.bulk_create(history)

    order_numbers: dict[str, int] = {}
    orders: dict[tuple[str, dt.date], str] = {}

    def order_for(seat: _Seat) -> str:
        key = (seat.plan.org_key, seat.start)
        if key not in orders:
            order_numbers[seat.plan.org_key] = order_numbers.get(seat.plan.org_key, rng.randint(10, 60)) + 1
            orders[key] = f"{order_numbers[seat.plan.org_key]}-Д от {seat.start:%d.%m.%Y}"
        return orders[key]

    for seat in sorted(seats, key=lambda s: (s.previous is not None, s.start)):
        seat.enrollment = Enrollment(
            child=seat.kid.child, group=seat.plan.group, application=seat.application, status=seat.status,
            start_date=seat.start, end_date=seat.end, order_number=order_for(seat),
            funding_source=FUNDING[seat.plan.programme.funding], end_reason=seat.reason,
        )
    first = [s.enrollment for s in seats if s.previous is None]
    Enrollment.objects.bulk_create(first)  # transferred-from rows get their ids before the rows that follow them
    then = []
    for seat in seats:
        if seat.previous is not None:
            seat.enrollment.previous = seat.previous.enrollment
            then.append(seat.enrollment)
    Enrollment.objects.bulk_create(then)
    _consents_create(ctx=ctx, applications=applications, people=people)
    return MunicipalityActivity(groups=[p.group for p in [*catalog.groups, *catalog.summer_groups, *last_year]],
                                enrollments=[s.enrollment for s in seats], applications=applications)


def _consents_create(*, ctx: Ctx, applications: list[Application], people: MunicipalityPeople) -> None:
    rng = ctx.rng
    first: dict[int, Application] = {}
    navigator: set[int] = set()
    for application in applications:
        key = application.child.pk
        if key not in first or application.submitted_at < first[key].submitted_at:
            first[key] = application
        if application.channel == Application.Channel.NAVIGATOR:
            navigator.add(key)
    guardians = {k.child.pk: (k.guardians[0] if k.guardians else None) for k in [*people.kids, *people.duplicates]}
    version = f"{ctx.year_start.year}-08"
    consents = []
    for child_pk, application in first.items():
        guardian = guardians.get(child_pk)
        given = application.submitted_at
        consents.append(Consent(child=application.child, guardian=guardian, scope=Consent.Scope.ENROLLMENT,
                                text_version=version, given_at=given))
        if child_pk in navigator:
            consents.append(Consent(child=application.child, guardian=guardian, scope=Consent.Scope.NAVIGATOR,
                                    text_version=version, given_at=given))
        if rng.random() < 0.35:
            withdrawn = given + dt.timedelta(days=rng.randint(1, 60)) if rng.random() < 0.03 else None
            consents.append(Consent(child=application.child, guardian=guardian, scope=Consent.Scope.PUBLICATION,
                                    text_version=version, given_at=given, withdrawn_at=withdrawn))
    Consent.objects.bulk_create(consents)
