"""Reads of events, achievements, teachers' qualification, partnerships and best practices.

Every summary takes the same *area* — ``organization``, ``municipality`` or ``region`` (none of them: everything)
— and a *period* ``start``..``end`` (inclusive; an event belongs to it by its start date). Achievements belong to
the participant's organization; events to their organizer and co-organizers (an organization) or to the event's
municipality (a territory). Cancelled events count nowhere; events of an external organizer (recorded only for
the results of the organization's pupils) count in achievements, not in the events held. The reports build
their tables on these functions (see ``/tmp/events_api.md``), so a page and its report agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kruzhok.accounts.scoping import scope_queryset, user_scope
from kruzhok.catalog.models import Course, Direction, Employment, Organization, Publication, Teacher
from kruzhok.events.counts import Participants, participants_display
from kruzhok.events.models import (
    BestPractice,
    BestPracticeFile,
    Event,
    EventDate,
    EventLevel,
    EventParticipant,
    EventRegistration,
    EventResult,
    Partnership,
)
from kruzhok.people.models import Consent
from kruzhok.territory.models import Municipality, Region

R = EventResult.Result
PRIZE_RESULTS = (R.GRAND_PRIX, R.WINNER, R.PRIZE_WINNER, R.PLACE_1, R.PLACE_2, R.PLACE_3, R.LAUREATE)

__all__ = ["PRIZE_RESULTS", "Participants", "participants_display"]


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class EventRow:
    event: Event
    title: str
    dates: str
    participants: Participants
    kind_label: str
    level_label: str
    direction_label: str


@dataclass(frozen=True)
class KindRow:
    kind: str
    label: str
    events: int
    participants: Participants


@dataclass(frozen=True)
class DirectionRow:
    direction_id: int | None
    label: str
    events: int
    participants: Participants


@dataclass(frozen=True)
class ChangeRow:
    key: str
    label: str
    previous: int
    current: int
    change_pct: float | None  # None when there was nothing the year before


@dataclass(frozen=True)
class TeacherRow:
    teacher: Teacher
    prizes: int
    pupils: int


@dataclass(frozen=True)
class AchievementSummary:
    by_level: list[CountRow]
    by_place: list[CountRow]
    by_direction: list[CountRow]
    children: int
    teachers: list[TeacherRow]
    prize_total: int


@dataclass(frozen=True)
class PublicationRow:
    journal: str
    level: str
    level_label: str
    count: int


@dataclass(frozen=True)
class PartnershipRow:
    partnership: Partnership
    kind_label: str
    partners: str
    children_covered: int
    programmes: list[str]
    joint_events: int


@dataclass(frozen=True)
class PracticeRow:
    practice: BestPractice
    status_label: str
    adopted_count: int
    adopters: list[str]


@dataclass(frozen=True)
class ShiftRow:
    event: Event
    dates: str
    programmes: list[str]
    participants: Participants


@dataclass(frozen=True)
class StaffingSummary:
    total: int
    external: int
    by_education: list[CountRow]
    by_category: list[CountRow]


@dataclass
class PublicResults:
    """An event's results as the public sees them: names only with the family's publication consent."""

    named: list[tuple[str, str, str]] = field(default_factory=list)  # (who, organization, result label)
    counts: list[CountRow] = field(default_factory=list)  # results of everyone not named


# --- area and period --------------------------------------------------------------------------------------


def _org_area(prefix: str, organization: Organization | None, municipality: Municipality | None,
              region: Region | None) -> Q:
    q = Q()
    if organization is not None:
        q &= Q(**{prefix: organization})
    if municipality is not None:
        q &= Q(**{f"{prefix}__municipality": municipality})
    if region is not None:
        q &= Q(**{f"{prefix}__municipality__region": region})
    return q


def held_events(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                municipality: Municipality | None = None, region: Region | None = None) -> QuerySet[Event]:
    """Events held (or planned) in the area and period: not cancelled, not of an external organizer."""
    qs = Event.objects.filter(start_date__gte=start, start_date__lte=end, external_organizer="").exclude(
        status=Event.Status.CANCELLED)
    if organization is not None:
        qs = qs.filter(pk__in=Event.objects.filter(Q(organizer=organization) | Q(co_organizers=organization))
                       .values("pk"))
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    if region is not None:
        qs = qs.filter(municipality__region=region)
    return qs


def _participations(*, start: dt.date, end: dt.date, organization: Organization | None,
                    municipality: Municipality | None, region: Region | None) -> QuerySet[EventParticipant]:
    return EventParticipant.objects.filter(
        _org_area("organization", organization, municipality, region),
        event__start_date__gte=start, event__start_date__lte=end,
    ).exclude(event__status=Event.Status.CANCELLED)


def _prize_participations(**area: Any) -> QuerySet[EventParticipant]:
    qs = _participations(**area)
    return qs.filter(pk__in=EventResult.objects.filter(result__in=PRIZE_RESULTS).values("participant"))


SESSIONS_LISTED = 5  # a schedule of more dates is printed as its first–last date and the number of dates


def event_dates(event: Event) -> str:
    """«22.01.2024», «10.01.2024–19.01.2024», with the schedule note first: «по графику, 10.01.2024–19.01.2024».

    An event held by a schedule lists its dates «02.02.2024, 07.02.2024» (many of them: «09.01.2024–16.04.2024,
    дат: 12»); callers over many events prefetch ``dates``."""
    days = sorted({d.date for d in event.dates.all()}) if event.pk else []
    start = event.start_date.strftime("%d.%m.%Y")
    if 1 < len(days) <= SESSIONS_LISTED:
        dates = ", ".join(day.strftime("%d.%m.%Y") for day in days)
    elif not event.end_date or event.end_date == event.start_date:
        dates = start
    else:
        dates = f"{start}–{event.end_date.strftime('%d.%m.%Y')}"
        if len(days) > SESSIONS_LISTED:
            dates += ", " + _("дат: %(n)s") % {"n": len(days)}
    return f"{event.schedule_note}, {dates}" if event.schedule_note else dates


def event_participants(event: Event, records: int | None = None) -> Participants:
    """The count recorded for the event (possibly «более N»), else the number of individual records."""
    if event.participants_count is not None:
        return Participants(event.participants_count, event.participants_count_is_lower_bound)
    if records is None:
        records = getattr(event, "records", None)
        if records is None:
            records = event.participants.count()
    return Participants(records, False)


def _with_records(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.annotate(records=Count("participants", distinct=True))


# --- events ----------------------------------------------------------------------------------------------


def event_table(*, start: dt.date, end: dt.date, audience: str | None = None, kinds: Iterable[str] | None = None,
                organization: Organization | None = None, municipality: Municipality | None = None,
                region: Region | None = None) -> list[EventRow]:
    """The report's table «Название мероприятия — Дата проведения — Количество участников»."""
    qs = held_events(start=start, end=end, organization=organization, municipality=municipality, region=region)
    if audience:
        qs = qs.filter(audience=audience)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    qs = _with_records(qs).select_related("direction").prefetch_related("dates").order_by("start_date", "title")
    return [EventRow(event=e, title=e.title, dates=event_dates(e), participants=event_participants(e),
                     kind_label=e.get_kind_display(), level_label=e.get_level_display(),
                     direction_label=str(e.direction) if e.direction else "") for e in qs]


def events_by_kind(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                   municipality: Municipality | None = None, region: Region | None = None) -> list[KindRow]:
    """Every kind of event (zeros included) with the number of events and of participants."""
    qs = _with_records(held_events(start=start, end=end, organization=organization, municipality=municipality,
                                   region=region))
    events: Counter[str] = Counter()
    people: dict[str, Participants] = defaultdict(Participants)
    for e in qs:
        events[e.kind] += 1
        people[e.kind] = people[e.kind] + event_participants(e)
    return [KindRow(kind=k.value, label=str(k.label), events=events[k.value], participants=people[k.value])
            for k in Event.Kind]


def events_by_direction(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                        municipality: Municipality | None = None, region: Region | None = None) -> list[DirectionRow]:
    """Directions that had events, in the dictionary's order; events without a direction last."""
    qs = _with_records(held_events(start=start, end=end, organization=organization, municipality=municipality,
                                   region=region)).select_related("direction")
    events: Counter[int | None] = Counter()
    people: dict[int | None, Participants] = defaultdict(Participants)
    directions: dict[int | None, Direction | None] = {}
    for e in qs:
        events[e.direction_id] += 1
        people[e.direction_id] = people[e.direction_id] + event_participants(e)
        directions[e.direction_id] = e.direction
    def place(pk: int | None) -> tuple[bool, int, int]:
        direction = directions[pk]
        return (direction is None, direction.order if direction is not None else 0, pk or 0)

    order = sorted(directions, key=place)
    return [DirectionRow(direction_id=pk, label=str(directions[pk]) if directions[pk] else _("без направленности"),
                         events=events[pk], participants=people[pk]) for pk in order]


def events_change(*, current: tuple[dt.date, dt.date], previous: tuple[dt.date, dt.date], by: str = "kind",
                  organization: Organization | None = None, municipality: Municipality | None = None,
                  region: Region | None = None) -> list[ChangeRow]:
    """Events held in ``current`` against ``previous`` by kind or direction, with the change in per cent
    («гражданско-патриотической направленности на 20 %»). Keys with no events in either period are left out."""
    area: dict[str, Any] = {"organization": organization, "municipality": municipality, "region": region}
    if by == "kind":
        now = {r.kind: (r.label, r.events) for r in events_by_kind(start=current[0], end=current[1], **area)}
        before = {r.kind: (r.label, r.events) for r in events_by_kind(start=previous[0], end=previous[1], **area)}
        keys = [k.value for k in Event.Kind]
    elif by == "direction":
        now = {str(r.direction_id or ""): (r.label, r.events)
               for r in events_by_direction(start=current[0], end=current[1], **area)}
        before = {str(r.direction_id or ""): (r.label, r.events)
                  for r in events_by_direction(start=previous[0], end=previous[1], **area)}
        keys = list(dict.fromkeys([*before, *now]))
    else:
        raise ValueError(f"events_change by {by!r}: 'kind' or 'direction'")
    rows = []
    for key in keys:
        label, cur = now.get(key, (before.get(key, ("", 0))[0], 0))
        prev = before.get(key, (label, 0))[1]
        if not cur and not prev:
            continue
        change = round((cur - prev) * 100 / prev, 1) if prev else None
        rows.append(ChangeRow(key=key, label=label, previous=prev, current=cur, change_pct=change))
    return rows


def shift_rows(*, start: dt.date, end: dt.date, organization: Organization | None = None,
               municipality: Municipality | None = None, region: Region | None = None) -> list[ShiftRow]:
    """Summer profile shifts: events of kind «профильная смена» with their programmes and participants."""
    qs = _with_records(held_events(start=start, end=end, organization=organization, municipality=municipality,
                                   region=region).filter(kind=Event.Kind.SHIFT)).prefetch_related("programmes",
                                                                                                   "dates")
    return [ShiftRow(event=e, dates=event_dates(e), programmes=[p.title for p in e.programmes.all()],
                     participants=event_participants(e)) for e in qs.order_by("start_date", "title")]


# --- achievements ------------------------------------------------------------------------------------------


def achievements_by_level(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                          municipality: Municipality | None = None, region: Region | None = None) -> list[CountRow]:
    """Prize-winning participants (a team once) per event level, international first; zeros included."""
    counts = dict(_prize_participations(start=start, end=end, organization=organization, municipality=municipality,
                                        region=region).values_list("event__level").annotate(n=Count("pk")))
    return [CountRow(key=lvl.value, label=str(lvl.label), count=counts.get(lvl.value, 0)) for lvl in EventLevel]


def achievements_by_place(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                          municipality: Municipality | None = None, region: Region | None = None) -> list[CountRow]:
    """Results of every kind (Гран-при, I место, …, участник) in the choices' order; zeros included."""
    participations = _participations(start=start, end=end, organization=organization, municipality=municipality,
                                     region=region)
    counts = dict(EventResult.objects.filter(participant__in=participations).values_list("result")
                  .annotate(n=Count("pk")))
    order = [R.GRAND_PRIX, R.PLACE_1, R.PLACE_2, R.PLACE_3, R.WINNER, R.PRIZE_WINNER, R.LAUREATE, R.DIPLOMA,
             R.CERTIFICATE, R.PARTICIPANT]
    return [CountRow(key=r.value, label=str(r.label), count=counts.get(r.value, 0)) for r in order]


def achievements_by_direction(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                              municipality: Municipality | None = None,
                              region: Region | None = None) -> list[CountRow]:
    """Prize-winning participants by the event's direction (directions with prize-winners only)."""
    rows = (_prize_participations(start=start, end=end, organization=organization, municipality=municipality,
                                  region=region).values_list("event__direction").annotate(n=Count("pk")))
    counts = dict(rows)
    directions = {d.pk: d for d in Direction.objects.filter(pk__in=[k for k in counts if k is not None])}
    order = sorted(counts, key=lambda pk: (pk is None, directions[pk].order if pk in directions else 0, pk or 0))
    return [CountRow(key=str(pk or ""), label=str(directions[pk]) if pk in directions else _("без направленности"),
                     count=counts[pk]) for pk in order]


def children_with_achievements(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                               municipality: Municipality | None = None, region: Region | None = None) -> int:
    """Distinct children with a prize result, alone or as a member of a team."""
    prizes = _prize_participations(start=start, end=end, organization=organization, municipality=municipality,
                                   region=region)
    alone = set(prizes.exclude(child=None).values_list("child", flat=True))
    in_teams = set(prizes.filter(team_members__isnull=False).values_list("team_members", flat=True))
    return len(alone | in_teams)


def teachers_with_winning_pupils(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                                 municipality: Municipality | None = None,
                                 region: Region | None = None) -> list[TeacherRow]:
    """Mentors of prize-winners: prize-winning participants and distinct pupils each, most prizes first."""
    prizes = _prize_participations(start=start, end=end, organization=organization, municipality=municipality,
                                   region=region).exclude(mentor=None)
    won: dict[int, set[int]] = defaultdict(set)
    pupils: dict[int, set[int]] = defaultdict(set)
    for mentor, pk, child in prizes.values_list("mentor", "pk", "child"):
        won[mentor].add(pk)
        if child:
            pupils[mentor].add(child)
    for mentor, member in prizes.filter(team_members__isnull=False).values_list("mentor", "team_members"):
        pupils[mentor].add(member)
    teachers = Teacher.objects.in_bulk(list(won))
    rows = [TeacherRow(teacher=teachers[pk], prizes=len(won[pk]), pupils=len(pupils[pk])) for pk in won]
    return sorted(rows, key=lambda r: (-r.prizes, str(r.teacher)))


def achievements_summary(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                         municipality: Municipality | None = None,
                         region: Region | None = None) -> AchievementSummary:
    area: dict[str, Any] = {"start": start, "end": end, "organization": organization, "municipality": municipality,
                            "region": region}
    by_level = achievements_by_level(**area)
    return AchievementSummary(by_level=by_level, by_place=achievements_by_place(**area),
                              by_direction=achievements_by_direction(**area),
                              children=children_with_achievements(**area),
                              teachers=teachers_with_winning_pupils(**area),
                              prize_total=sum(r.count for r in by_level))


# --- teachers ----------------------------------------------------------------------------------------------


def teachers_employed(*, on: dt.date, organization: Organization | None = None,
                      municipality: Municipality | None = None, region: Region | None = None) -> QuerySet[Teacher]:
    """Teachers with an employment in the area on the day."""
    employed = Q(employments__start_date__lte=on) & (Q(employments__end_date__isnull=True)
                                                     | Q(employments__end_date__gte=on))
    ids = Teacher.objects.filter(employed, _org_area("employments__organization", organization, municipality,
                                                     region)).values("pk")
    return Teacher.objects.filter(pk__in=ids)


def _breakdown(qs: QuerySet[Teacher], field_name: str, choices: Any) -> list[CountRow]:
    counts = dict(qs.values_list(field_name).annotate(n=Count("pk")))
    return [CountRow(key=c.value, label=str(c.label), count=counts.get(c.value, 0)) for c in choices]


def teachers_by_education(*, on: dt.date, organization: Organization | None = None,
                          municipality: Municipality | None = None, region: Region | None = None) -> list[CountRow]:
    """«Имеют высшее педагогическое образование – 29 педагогов, …»: every level, zeros included."""
    qs = teachers_employed(on=on, organization=organization, municipality=municipality, region=region)
    return _breakdown(qs, "education_level", Teacher.Education)


def teachers_by_category(*, on: dt.date, organization: Organization | None = None,
                         municipality: Municipality | None = None, region: Region | None = None) -> list[CountRow]:
    """Qualification categories in use in the area (those of its country), «без категории» first."""
    qs = teachers_employed(on=on, organization=organization, municipality=municipality, region=region)
    rows = _breakdown(qs, "category", Teacher.Category)
    return [r for r in rows if r.count or r.key == ""]


def staffing_summary(*, on: dt.date, organization: Organization | None = None,
                     municipality: Municipality | None = None, region: Region | None = None) -> StaffingSummary:
    area: dict[str, Any] = {"on": on, "organization": organization, "municipality": municipality, "region": region}
    qs = teachers_employed(**area)
    return StaffingSummary(total=qs.count(), external=qs.filter(is_external_specialist=True).count(),
                           by_education=teachers_by_education(**area), by_category=teachers_by_category(**area))


def _teachers_in_area(organization: Organization | None, municipality: Municipality | None,
                      region: Region | None) -> QuerySet[Teacher]:
    return Teacher.objects.filter(pk__in=Teacher.objects.filter(
        _org_area("employments__organization", organization, municipality, region)).values("pk"))


def teacher_courses(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                    municipality: Municipality | None = None, region: Region | None = None) -> list[Course]:
    """Qualification courses finished in the period by teachers of the area."""
    return list(Course.objects.filter(completed_on__gte=start, completed_on__lte=end,
                                      teacher__in=_teachers_in_area(organization, municipality, region))
                .select_related("teacher").order_by("completed_on", "teacher__surname"))


def courses_summary(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                    municipality: Municipality | None = None, region: Region | None = None) -> list[CountRow]:
    """Teachers trained per course provider («АО НЦПК «Өрлеу» – 6 педагогов»), most first."""
    rows = (Course.objects.filter(completed_on__gte=start, completed_on__lte=end,
                                  teacher__in=_teachers_in_area(organization, municipality, region))
            .values_list("provider").annotate(n=Count("teacher", distinct=True)).order_by("-n", "provider"))
    return [CountRow(key=provider, label=provider, count=n) for provider, n in rows]


def teachers_trained(*, start: dt.date, end: dt.date, organization: Organization | None = None,
                     municipality: Municipality | None = None, region: Region | None = None) -> int:
    return (Course.objects.filter(completed_on__gte=start, completed_on__lte=end,
                                  teacher__in=_teachers_in_area(organization, municipality, region))
            .values("teacher").distinct().count())


def publications_by_journal(*, start_year: int, end_year: int, organization: Organization | None = None,
                            municipality: Municipality | None = None,
                            region: Region | None = None) -> list[PublicationRow]:
    """«Публикации в республиканских журналах: «Педагог» – 4 статьи»: per journal and level, most first."""
    labels = dict(Publication.Level.choices)
    rows = (Publication.objects.filter(year__gte=start_year, year__lte=end_year,
                                       teacher__in=_teachers_in_area(organization, municipality, region))
            .values_list("journal", "level").annotate(n=Count("pk")).order_by("-n", "journal"))
    return [PublicationRow(journal=j, level=lvl, level_label=str(labels.get(lvl, lvl)), count=n) for j, lvl, n in rows]


def teacher_profile(*, user: Any, teacher_id: int) -> Teacher:
    """A teacher's card for the organization's and the territory's admins (raises Teacher.DoesNotExist)."""
    return (scope_queryset(user, Teacher.objects.all())
            .prefetch_related(Prefetch("employments", queryset=Employment.objects.select_related("organization")),
                              "courses", "publications", "awards")
            .get(pk=teacher_id))


def teacher_pupils_results(*, teacher: Teacher) -> list[EventResult]:
    """Results of the participants the teacher mentored, newest event first."""
    return list(EventResult.objects.filter(participant__mentor=teacher)
                .select_related("participant__event", "participant__child", "participant__organization")
                .order_by("-participant__event__start_date"))


# --- partnerships and practices ----------------------------------------------------------------------------


def partnership_rows(*, on: dt.date | None = None, organization: Organization | None = None,
                     municipality: Municipality | None = None, region: Region | None = None) -> list[PartnershipRow]:
    """Memoranda, network agreements and social partners of the area (in force on ``on`` if given), each with
    its partners, children covered, programmes and the number of joint events held."""
    qs = Partnership.objects.filter(_org_area("organization", organization, municipality, region))
    if on is not None:
        qs = qs.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))
    qs = (qs.annotate(joint=Count("joint_events", filter=~Q(joint_events__status=Event.Status.CANCELLED),
                                  distinct=True))
          .select_related("organization").prefetch_related("partners", "programmes").order_by("kind", "title"))
    rows = []
    for p in qs:
        partners = [o.short_name for o in p.partners.all()] + ([p.partner_name] if p.partner_name else [])
        rows.append(PartnershipRow(partnership=p, kind_label=p.get_kind_display(), partners=", ".join(partners),
                                   children_covered=p.children_covered,
                                   programmes=[g.title for g in p.programmes.all()], joint_events=p.joint))
    return rows


def best_practice_rows(*, status: str | None = None, organization: Organization | None = None,
                       municipality: Municipality | None = None, region: Region | None = None) -> list[PracticeRow]:
    """The bank of best practices: status, how many organizations adopted each and which."""
    qs = BestPractice.objects.filter(_org_area("organization", organization, municipality, region))
    if status:
        qs = qs.filter(status=status)
    qs = qs.select_related("organization", "direction").prefetch_related("adopted_by")
    return [PracticeRow(practice=p, status_label=p.get_status_display(),
                        adopted_count=len(p.adopted_by.all()),
                        adopters=[o.short_name for o in p.adopted_by.all()]) for p in qs]


# --- the public list and the organization's pages ---------------------------------------------------------


def events_public(*, when: str = "upcoming", level: str = "", direction: int | None = None, audience: str = "",
                  date_from: dt.date | None = None, date_to: dt.date | None = None,
                  today: dt.date | None = None) -> QuerySet[Event]:
    """Public events: ``when`` "upcoming" (not yet over, soonest first), "past" (newest first) or "all"."""
    today = today or timezone.localdate()
    qs = (Event.objects.filter(is_public=True).select_related("direction", "organizer", "municipality")
          .prefetch_related("dates"))
    if when == "all":
        qs = qs.order_by("start_date", "title")
    elif when == "past":
        qs = qs.filter(Q(end_date__lt=today) | Q(end_date__isnull=True, start_date__lt=today)).order_by(
            "-start_date", "title")
    else:
        qs = qs.filter(Q(end_date__gte=today) | Q(end_date__isnull=True, start_date__gte=today)).order_by(
            "start_date", "title")
    if level:
        qs = qs.filter(level=level)
    if direction:
        qs = qs.filter(direction_id=direction)
    if audience:
        qs = qs.filter(audience=audience)
    if date_from or date_to:
        qs = qs.filter(_on_dates(date_from, date_to))
    return qs


def _on_dates(date_from: dt.date | None, date_to: dt.date | None) -> Q:
    """Events held within the days: an event by a schedule when one of its dates falls in them, any other when
    its start..end overlaps them."""
    span = Q()
    if date_from:
        span &= Q(end_date__gte=date_from) | Q(end_date__isnull=True, start_date__gte=date_from)
    if date_to:
        span &= Q(start_date__lte=date_to)
    sessions = EventDate.objects.filter(event=OuterRef("pk"))
    within = sessions
    if date_from:
        within = within.filter(date__gte=date_from)
    if date_to:
        within = within.filter(date__lte=date_to)
    return (Q(~Exists(sessions)) & span) | Q(Exists(within))


def event_public(*, pk: int) -> Event:
    return (Event.objects.filter(is_public=True).select_related("direction", "organizer", "municipality")
            .prefetch_related("co_organizers", "programmes", "dates").get(pk=pk))


def event_public_results(*, event: Event, now: dt.datetime | None = None) -> PublicResults:
    """Named rows for children whose family consented to publication and for teams; the rest as counts."""
    now = now or timezone.now()
    consented = set(Consent.objects.filter(scope=Consent.Scope.PUBLICATION, given_at__lte=now)
                    .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=now))
                    .filter(child__event_participations__event=event).values_list("child", flat=True))
    results = (EventResult.objects.filter(participant__event=event)
               .select_related("participant__child", "participant__organization"))
    out = PublicResults()
    hidden: Counter[str] = Counter()
    for r in results:
        p = r.participant
        if p.child is not None and p.child_id in consented:
            out.named.append((f"{p.child.surname} {p.child.name}", p.organization.short_name,
                              r.get_result_display()))
        elif not p.child_id and not p.teacher_id and p.team_name:
            out.named.append((p.team_name, p.organization.short_name, r.get_result_display()))
        else:
            hidden[r.result] += 1
    out.named.sort(key=lambda row: row[2])
    out.counts = [row for row in achievements_order(hidden) if row.count]
    return out


def achievements_order(counts: Counter[str]) -> list[CountRow]:
    order = [R.GRAND_PRIX, R.PLACE_1, R.PLACE_2, R.PLACE_3, R.WINNER, R.PRIZE_WINNER, R.LAUREATE, R.DIPLOMA,
             R.CERTIFICATE, R.PARTICIPANT]
    return [CountRow(key=r.value, label=str(r.label), count=counts.get(r.value, 0)) for r in order]


def events_for_admin(*, user: Any) -> QuerySet[Event]:
    """Events the user may change (their organization's; the territory's for its admins), newest first."""
    return (scope_queryset(user, Event.objects.all(), write=True).select_related("direction", "organizer")
            .annotate(records=Count("participants", distinct=True)).order_by("-start_date", "title"))


def event_for_admin(*, user: Any, pk: int) -> Event:
    return (scope_queryset(user, Event.objects.all(), write=True).select_related("direction", "organizer")
            .prefetch_related("dates").get(pk=pk))


def next_session(event: Event, *, today: dt.date | None = None) -> EventDate | None:
    """The event's first date from today on (``None``: not held by a schedule, or all its dates are past)."""
    today = today or timezone.localdate()
    return next((d for d in event.dates.all() if d.date >= today), None)


def event_participants_for_admin(*, user: Any, event: Event) -> list[EventParticipant]:
    """The event's participants with their results (the organizer sees all of its event's participants)."""
    return list(EventParticipant.objects.filter(event=event)
                .select_related("child", "teacher", "organization", "mentor").prefetch_related("results")
                .order_by("pk"))


def event_registrations(*, user: Any, event: Event) -> QuerySet[EventRegistration]:
    return scope_queryset(user, EventRegistration.objects.filter(event=event)).select_related("child")


def dates_display(event: Event) -> str:
    """The dates as a page shows them, localized («22 января 2024 г.»)."""
    start = formats.date_format(event.start_date, "DATE_FORMAT")
    if event.end_date and event.end_date != event.start_date:
        return f"{start} — {formats.date_format(event.end_date, 'DATE_FORMAT')}"
    return start


def user_area(*, user: Any) -> dict[str, Any]:
    """The area a page of summaries shows a user by default: their organization, municipality or region
    (the first granted, narrowest kind first); a superuser gets everything."""
    scope = user_scope(user)
    if scope.organization_ids:
        return {"organization": Organization.objects.get(pk=min(scope.organization_ids))}
    if scope.municipality_ids:
        return {"municipality": Municipality.objects.get(pk=min(scope.municipality_ids))}
    if scope.region_ids:
        return {"region": Region.objects.get(pk=min(scope.region_ids))}
    return {}


def practices_public() -> QuerySet[BestPractice]:
    """The public bank: practices included in it or already adopted, with their adopters counted."""
    return (BestPractice.objects.filter(status__in=[BestPractice.Status.IN_BANK, BestPractice.Status.ADOPTED])
            .select_related("organization__municipality", "direction")
            .annotate(adopted_count=Count("adopted_by", distinct=True)).order_by("title"))


def practice_public(*, pk: int) -> BestPractice:
    return practices_public().prefetch_related("adopted_by", "files").get(pk=pk)


def practices_visible(*, user: Any) -> QuerySet[BestPractice]:
    """The practices a user sees: the public bank, and for the admins also their own not yet in it."""
    public = practices_public()
    if not getattr(user, "is_authenticated", False):
        return public
    own = scope_queryset(user, BestPractice.objects.all()).values("pk")
    return (BestPractice.objects.filter(Q(pk__in=public.values("pk")) | Q(pk__in=own))
            .select_related("organization__municipality", "direction")
            .annotate(adopted_count=Count("adopted_by", distinct=True)).order_by("title"))


def practice_visible(*, user: Any, pk: int) -> BestPractice:
    """A practice the user sees, with its adopters and files (raises BestPractice.DoesNotExist)."""
    return practices_visible(user=user).prefetch_related("adopted_by", "files").get(pk=pk)


def practice_file_visible(*, user: Any, practice_id: int, file_id: int) -> BestPracticeFile:
    """A file of a practice the user sees: the files of the public bank, and those the scoping rules give the
    user (their organization's practices not yet in the bank). Raises BestPracticeFile.DoesNotExist."""
    files = BestPracticeFile.objects.filter(pk=file_id, practice_id=practice_id)
    public = files.filter(practice__in=practices_public().values("pk"))
    return (public if public.exists() else scope_queryset(user, files)).get()
