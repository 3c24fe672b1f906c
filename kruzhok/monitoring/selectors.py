"""The monitoring figures: coverage of unique children, what children choose, group fill, application
timeliness, programme-card quality, staffing — one set of functions that pages, exports, reports and the API
all call.

Counting rules (``DESIGN.md``):

* an enrollment is active on a day when ``start_date <= day`` and (``end_date`` is empty or ``>= day``),
  whatever its current status (an enrollment ended later was active then);
* a child is counted once, after duplicates are merged: records with ``merged_into`` set are left out (the
  merge re-points their enrollments to the surviving record);
* the age band is full years by birth date on the reference date: ``age_from <= age < age_to``;
* child-side figures (coverage, breakdowns, clubs per child, trend) place a child in the municipality of
  residence, the territory of the population denominator; organization-side figures (programmes, groups,
  cards, staffing, applications) use the organization's municipality.

Coverage figures can be read ``live`` or from the precomputed cells of :mod:`kruzhok.monitoring.aggregates`
(``source="aggregates"``, falling back to live when no snapshot exists for the date); both give the same
numbers, and each result says where it came from and when it was computed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.db import connections
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Length, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kruzhok.accounts.scoping import user_scope
from kruzhok.catalog.models import (
    Course,
    Direction,
    Employment,
    Group,
    Organization,
    Programme,
    ScheduleSlot,
    Teacher,
)
from kruzhok.enrollment.models import Application, ApplicationStatus, Enrollment, EnrollmentStatus
from kruzhok.people.models import Child, ChildCategory, Sex, age_on
from kruzhok.territory.models import Municipality, Population, Region

Territory = Region | Municipality | None

LIVE = "live"
AGGREGATES = "aggregates"
SOURCES = (LIVE, AGGREGATES)

BREAKDOWNS = ("municipality", "settlement_kind", "sex", "age", "category", "direction", "organization_type")
BREAKDOWN_LABELS = {
    "municipality": gettext_lazy("Муниципалитет"),
    "settlement_kind": gettext_lazy("Местность"),
    "sex": gettext_lazy("Пол"),
    "age": gettext_lazy("Возраст"),
    "category": gettext_lazy("Категория детей"),
    "direction": gettext_lazy("Направленность"),
    "organization_type": gettext_lazy("Тип организации"),
}
SETTLEMENT_KINDS = {
    "urban": gettext_lazy("городская местность"),
    "rural": gettext_lazy("сельская местность"),
    "unknown": gettext_lazy("местность не указана"),
}
PROGRAMME_FLAGS = {
    "network": gettext_lazy("сетевая форма"),
    "adapted_ovz": gettext_lazy("адаптированные для детей с ОВЗ"),
    "certificate": gettext_lazy("по сертификату ПФДО"),
    "remote": gettext_lazy("дистанционные и смешанные"),
    "summer_shift": gettext_lazy("летние (профильные) смены"),
    "socially_significant": gettext_lazy("социально значимые"),
    "gifted": gettext_lazy("для одарённых детей"),
    "difficult_situation": gettext_lazy("для детей в трудной жизненной ситуации"),
}
CARD_DEFECTS = {
    "draft": gettext_lazy("не опубликована"),
    "no_code": gettext_lazy("нет номера в реестре"),
    "no_description": gettext_lazy("нет описания"),
    "short_description": gettext_lazy("слишком короткое описание"),
    "no_groups": gettext_lazy("нет действующих групп"),
    "no_schedule": gettext_lazy("нет расписания"),
    "group_ages_outside": gettext_lazy("возраст группы вне возраста программы"),
    "no_teacher": gettext_lazy("не указан педагог"),
    "no_venue": gettext_lazy("не указана площадка"),
    "window_closed_empty": gettext_lazy("приём закрыт, а группа пуста"),
}
CARD_CHECKS = tuple(CARD_DEFECTS)  # every card is scored against all of them
MIN_DESCRIPTION = 100
FILL_STATES = ("under", "normal", "full", "over")
TIMELINESS_STATES = ("in_time", "late", "pending", "overdue")
HIGHEST_CATEGORIES = (Teacher.Category.RU_HIGHEST, Teacher.Category.KZ_MASTER, Teacher.Category.KZ_RESEARCHER)
FIRST_CATEGORIES = (Teacher.Category.RU_FIRST, Teacher.Category.KZ_EXPERT, Teacher.Category.KZ_MODERATOR)
MAX_LISTED = 200


# --------------------------------------------------------------------------------------------------- filter


@dataclass(frozen=True, kw_only=True)
class MonitoringFilter:
    """Which figures: territory (None = whole installation), reference date, age band, direction, org type."""

    on: dt.date
    territory: Region | Municipality | None = None
    age_from: int = 5
    age_to: int = 18
    direction_id: int | None = None
    organization_type: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.age_from < self.age_to <= 18:
            raise ValueError("age band must satisfy 0 <= age_from < age_to <= 18")
        if self.organization_type is not None and self.organization_type not in Organization.Type.values:
            raise ValueError(f"unknown organization type {self.organization_type!r}")

    @property
    def born_after(self) -> dt.date:
        """Children born after this day are younger than ``age_to`` on ``on``... i.e. birth_date > it."""
        return years_before(self.on, self.age_to)

    @property
    def born_by(self) -> dt.date:
        """Children born on or before this day are at least ``age_from`` on ``on``."""
        return years_before(self.on, self.age_from)

    def label(self) -> str:
        where = self.territory.localized_name() if self.territory is not None else _("все территории")
        return _("%(where)s, на %(on)s, %(a)s–%(b)s лет") % {
            "where": where, "on": self.on.strftime("%d.%m.%Y"), "a": self.age_from, "b": self.age_to - 1}


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (28 February for a 29 February that does not exist)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# ------------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Coverage:
    children: int
    enrollments: int
    population: int | None
    percent: float | None
    warnings: tuple[str, ...] = ()
    warning_codes: tuple[str, ...] = ()
    missing_population: tuple[str, ...] = ()
    source: str = LIVE
    computed_at: dt.datetime | None = None


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    enrollments: int
    enrollment_share: float | None
    children: int
    children_share: float | None
    population: int | None = None
    percent: float | None = None


@dataclass(frozen=True)
class Breakdown:
    by: str
    rows: list[BreakdownRow]
    total_enrollments: int
    total_children: int
    source: str = LIVE
    computed_at: dt.datetime | None = None


@dataclass(frozen=True)
class ClubsPerChild:
    children: int
    enrollments: int
    average: float | None
    distribution: dict[int, int] | None
    source: str = LIVE
    computed_at: dt.datetime | None = None


@dataclass(frozen=True)
class FlagRow:
    key: str
    label: str
    count: int
    share: float | None


@dataclass(frozen=True)
class FlagCounts:
    total: int
    rows: list[FlagRow]


@dataclass(frozen=True)
class GroupFillRow:
    group_id: int
    group: str
    programme: str
    organization_id: int
    organization: str
    capacity: int
    enrolled: int
    fill: float
    state: str


@dataclass(frozen=True)
class GroupFill:
    groups: int
    capacity: int
    enrolled: int
    mean_fill: float | None
    under: int
    normal: int
    full: int
    over: int
    threshold: float
    alarm: bool
    problems: list[GroupFillRow]


@dataclass(frozen=True)
class OverdueRow:
    application_id: int
    child: str
    group: str
    organization: str
    submitted_at: dt.datetime
    answer_due_at: dt.datetime
    days_overdue: int


@dataclass(frozen=True)
class Timeliness:
    total: int
    answered: int
    answered_in_time: int
    answered_late: int
    pending: int
    overdue: int
    without_deadline: int
    share_in_time: float | None
    median_hours: float | None
    overdue_list: list[OverdueRow]


@dataclass(frozen=True)
class CardScore:
    programme_id: int
    title: str
    organization_id: int
    organization: str
    score: float
    defects: tuple[str, ...]


@dataclass(frozen=True)
class OrgDefects:
    organization_id: int
    organization: str
    programmes: int
    mean_score: float
    defects: dict[str, int]


@dataclass(frozen=True)
class CardCompleteness:
    programmes: int
    mean_score: float | None
    cards: list[CardScore]
    organizations: list[OrgDefects]
    defect_counts: dict[str, int]


@dataclass(frozen=True)
class ShareRow:
    key: str
    label: str
    count: int
    share: float | None


@dataclass(frozen=True)
class Staffing:
    teachers: int
    by_education: list[ShareRow]
    by_category: list[ShareRow]
    highest_share: float | None
    first_share: float | None
    highest_or_first_share: float | None
    with_courses_3y: int
    courses_share: float | None
    external: int
    children: int
    children_per_teacher: float | None


@dataclass(frozen=True)
class TrendPoint:
    on: dt.date
    children: int
    population: int | None
    percent: float | None
    source: str = LIVE
    computed_at: dt.datetime | None = None


def percent(part: int | float, whole: int | float | None) -> float | None:
    return 100.0 * part / whole if whole else None


# ------------------------------------------------------------------------------------------------- access


def monitoring_territories(*, user: Any) -> list[Region | Municipality]:
    """The territories whose figures the user may see: regions first, each followed by its municipalities."""
    scope = user_scope(user)
    if scope.is_superuser:
        regions = list(Region.objects.all())
        municipalities = list(Municipality.objects.all())
    else:
        regions = list(Region.objects.filter(pk__in=scope.region_ids))
        municipalities = list(Municipality.objects.filter(Q(region__in=scope.region_ids)
                                                          | Q(pk__in=scope.municipality_ids)))
    result: list[Region | Municipality] = []
    for region in regions:
        result.append(region)
        result += [m for m in municipalities if m.region_id == region.pk]
    listed = {m.pk for m in result if isinstance(m, Municipality)}
    result += [m for m in municipalities if m.pk not in listed]
    return result


def monitoring_access(*, user: Any, territory: Territory) -> bool:
    """May the user see the figures of ``territory`` (None = the whole installation: superusers only)?"""
    scope = user_scope(user)
    if scope.is_superuser:
        return True
    if isinstance(territory, Region):
        return territory.pk in scope.region_ids
    if isinstance(territory, Municipality):
        return territory.pk in scope.municipality_ids or territory.region_id in scope.region_ids
    return False


# --------------------------------------------------------------------------------------- base querysets


def _child_territory_q(territory: Territory, prefix: str) -> Q:
    if isinstance(territory, Municipality):
        return Q(**{f"{prefix}municipality_id": territory.pk})
    if isinstance(territory, Region):
        return Q(**{f"{prefix}municipality__region_id": territory.pk})
    return Q()


def _org_territory_q(territory: Territory, org_path: str) -> Q:
    if isinstance(territory, Municipality):
        return Q(**{f"{org_path}__municipality_id": territory.pk})
    if isinstance(territory, Region):
        return Q(**{f"{org_path}__municipality__region_id": territory.pk})
    return Q()


def _active_on(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": day}) & (Q(**{f"{prefix}end_date__isnull": True})
                                                    | Q(**{f"{prefix}end_date__gte": day}))


def _counted_enrollments(f: MonitoringFilter) -> QuerySet[Enrollment]:
    """The enrollments coverage counts: active on ``f.on``, of unmerged resident children in the band."""
    qs = Enrollment.objects.filter(
        _active_on(f.on),
        _child_territory_q(f.territory, "child__"),
        child__merged_into__isnull=True,
        child__birth_date__gt=f.born_after,
        child__birth_date__lte=f.born_by,
    )
    if f.direction_id is not None:
        qs = qs.filter(group__programme__direction_id=f.direction_id)
    if f.organization_type is not None:
        qs = qs.filter(group__programme__organization__org_type=f.organization_type)
    return qs


def _category_exists(kind: str, on: dt.date, child_ref: str = "child_id") -> Exists:
    return Exists(ChildCategory.objects.on_day(on).filter(child_id=OuterRef(child_ref), kind=kind))


def _row_q(f: MonitoringFilter, by: str | None, key: str | None) -> Q:
    """The enrollments of one breakdown row (``by``, ``key``)."""
    if by is None or key is None:
        return Q()
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    if by == "municipality":
        return Q(child__municipality_id=int(key))
    if by == "settlement_kind":
        if key == "unknown":
            return Q(child__settlement__isnull=True)
        return Q(child__settlement__is_rural=(key == "rural"))
    if by == "sex":
        return Q(child__sex=key)
    if by == "age":
        age = int(key)
        return Q(child__birth_date__gt=years_before(f.on, age + 1), child__birth_date__lte=years_before(f.on, age))
    if by == "category":
        return Q(_category_exists(key, f.on))
    if by == "direction":
        return Q(group__programme__direction_id=int(key))
    return Q(group__programme__organization__org_type=key)


# ------------------------------------------------------------------------------------------------- coverage


PopulationTable = dict[int, dict[int, dict[int, int]]]  # year → municipality → age → resident children


def _population_table(f: MonitoringFilter, years: Iterable[int]) -> PopulationTable:
    """Population of ``f``'s territory and band for each of ``years``, in one read."""
    table: PopulationTable = {year: defaultdict(dict) for year in years}
    rows = Population.objects.filter(_child_territory_q(f.territory, ""), year__in=list(table), age__gte=f.age_from,
                                     age__lt=f.age_to)
    for year, municipality_id, age, count in rows.values_list("year", "municipality_id", "age", "count"):
        table[year][municipality_id][age] = count
    return table


def _population(f: MonitoringFilter, counted_municipalities: Iterable[int], table: PopulationTable | None = None
                ) -> tuple[dict[int, dict[int, int]], list[Municipality]]:
    """Population of the band per municipality and age for ``f.on.year``; and the municipalities missing it
    (``table``: :func:`_population_table` read beforehand for several years)."""
    if table is None or f.on.year not in table:
        table = _population_table(f, [f.on.year])
    by_municipality = table[f.on.year]
    missing_ids = set(counted_municipalities) - set(by_municipality)
    missing = list(Municipality.objects.filter(pk__in=missing_ids).order_by("name")) if missing_ids else []
    return by_municipality, missing


def _coverage(f: MonitoringFilter, *, children: int, enrollments: int, municipality_ids: Iterable[int],
              source: str, computed_at: dt.datetime | None, table: PopulationTable | None = None) -> Coverage:
    population, missing = _population(f, municipality_ids, table)
    warnings: list[str] = []
    codes: list[str] = []
    total: int | None = sum(sum(ages.values()) for ages in population.values())
    if missing or not total:
        codes.append("population_missing")
        names = ", ".join(m.localized_name() for m in missing)
        warnings.append(_("Нет численности детей за %(year)s год: %(names)s.") % {"year": f.on.year, "names": names}
                        if names else _("Нет численности детей за %(year)s год.") % {"year": f.on.year})
        total = total or None
    share = percent(children, total) if not missing else None
    if share is not None and share > 100:
        codes.append("over_100")
        warnings.append(_("Охват больше 100 %: проверьте численность детей и дубликаты."))
    return Coverage(children=children, enrollments=enrollments, population=total, percent=share,
                    warnings=tuple(warnings), warning_codes=tuple(codes),
                    missing_population=tuple(m.localized_name() for m in missing), source=source,
                    computed_at=computed_at or timezone.now())


@dataclass(frozen=True)
class DuplicatesEffect:
    """Unresolved possible duplicates of the territory's children and what merging them could do to coverage."""

    pairs: int
    removable: int
    percent_if_merged: float | None


def duplicates_effect(*, f: MonitoringFilter, coverage: Coverage) -> DuplicatesEffect:
    """Candidate pairs still waiting for a decision and the coverage if all of them were merged.

    An upper bound of the change: a removable record counts against coverage only if it is covered and in the age
    band, which it may not be."""
    from kruzhok.dedup.selectors import dedup_unresolved_summary

    pairs, removable = dedup_unresolved_summary(territory=f.territory)
    percent = None
    if coverage.population:
        percent = max(coverage.children - removable, 0) * 100 / coverage.population
    return DuplicatesEffect(pairs=pairs, removable=removable, percent_if_merged=percent)


def coverage_summary(*, f: MonitoringFilter, source: str = LIVE) -> Coverage:
    """Unique children of the band with an active enrollment on ``f.on``, over the resident population.

    ``percent`` is None (with the warning ``population_missing``) when any municipality with counted children
    (or any of the territory's municipalities that has population rows for another age) lacks population for
    ``f.on.year``; ``over_100`` warns when the children outnumber the population.
    """
    return _coverage_of(f, _cell_sums(f).get(f.on) if source == AGGREGATES else None)


def _coverage_of(f: MonitoringFilter, sums: _Sums | None, table: PopulationTable | None = None) -> Coverage:
    """:func:`coverage_summary` from the summed cells of ``f.on``, or live when there are none."""
    if sums is not None:
        totals, at = sums.totals()
        return _coverage(f, children=totals[1], enrollments=totals[0], municipality_ids=totals[2],
                         source=AGGREGATES, computed_at=at or sums.computed_at, table=table)
    totals = _totals_live(f)
    return _coverage(f, children=totals[1], enrollments=totals[0], municipality_ids=totals[2], source=LIVE,
                     computed_at=None, table=table)


Totals = tuple[int, int, list[int]]  # enrollments, children, municipalities with counted children


def _totals_live(f: MonitoringFilter) -> Totals:
    """Per municipality of residence (a child has one), so the unique children add up exactly."""
    rows = list(_counted_enrollments(f).values_list("child__municipality_id").annotate(
        e=Count("id"), c=Count("child_id", distinct=True)).order_by())
    return sum(r[1] for r in rows), sum(r[2] for r in rows), [r[0] for r in rows]


def coverage_breakdown(*, f: MonitoringFilter, by: str, source: str = LIVE) -> Breakdown:
    """Enrollments and unique children by ``by`` (one of :data:`BREAKDOWNS`), with their shares of the totals.

    For child attributes (municipality, settlement kind, sex, age) every child is in one row, so the children
    add up to the total. For direction, organization type and category a child counts once in each row they
    belong to (a child in two artistic groups counts once for «художественная»), so ``children_share`` may
    add up past 100 % while ``enrollment_share`` adds up to 100 %. ``population`` and ``percent`` (coverage
    of the row) are given for ``municipality`` and ``age``.
    """
    return coverage_breakdowns(f=f, bys=[by], source=source)[by]


def coverage_breakdowns(*, f: MonitoringFilter, bys: Iterable[str], source: str = LIVE) -> dict[str, Breakdown]:
    """:func:`coverage_breakdown` by each of ``bys``; from the aggregates in one read of the cells."""
    bys = list(dict.fromkeys(bys))
    sums = _cell_sums(f, bys=bys).get(f.on) if source == AGGREGATES else None
    table = _population_table(f, [f.on.year]) if {"municipality", "age"} & set(bys) else None
    return {by: _breakdown_of(f, by, sums, table) for by in bys}


def _breakdown_of(f: MonitoringFilter, by: str, sums: _Sums | None, table: PopulationTable | None) -> Breakdown:
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    if sums is not None:
        totals, at = sums.totals()
        counts = sums.breakdowns[by]
        computed_at = at or sums.computed_at
    else:
        counts, totals = _breakdown_live(f, by)
        computed_at = timezone.now()
    rows = _breakdown_rows(f, by, counts, totals, table)
    return Breakdown(by=by, rows=rows, total_enrollments=totals[0], total_children=totals[1],
                     source=AGGREGATES if sums is not None else LIVE, computed_at=computed_at)


def _breakdown_live(f: MonitoringFilter, by: str) -> tuple[dict[str, tuple[int, int]], Totals]:
    qs = _counted_enrollments(f)
    totals = _totals_live(f)
    counts: dict[str, tuple[int, int]] = {}
    if by == "category":
        aggregates: dict[str, Any] = {}
        for kind in ChildCategory.Kind.values:
            has = Q(_category_exists(kind, f.on))
            aggregates[f"e_{kind}"] = Count("id", filter=has)
            aggregates[f"c_{kind}"] = Count("child_id", distinct=True, filter=has)
        values = qs.aggregate(**aggregates)
        for kind in ChildCategory.Kind.values:
            counts[kind] = (values[f"e_{kind}"], values[f"c_{kind}"])
        return counts, totals
    if by == "age":
        per_birth = qs.values_list("child__birth_date").annotate(e=Count("id"), c=Count("child_id", distinct=True))
        merged: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for birth_date, enrollments, children in per_birth.order_by():
            row = merged[str(age_on(birth_date, f.on))]
            row[0] += enrollments
            row[1] += children
        return {key: (v[0], v[1]) for key, v in merged.items()}, totals
    column = {
        "municipality": "child__municipality_id",
        "settlement_kind": "child__settlement__is_rural",
        "sex": "child__sex",
        "direction": "group__programme__direction_id",
        "organization_type": "group__programme__organization__org_type",
    }[by]
    for value, enrollments, children in qs.values_list(column).annotate(
            e=Count("id"), c=Count("child_id", distinct=True)).order_by():
        counts[_key(by, value)] = (enrollments, children)
    return counts, totals


def _key(by: str, value: Any) -> str:
    if by == "settlement_kind":
        return "unknown" if value is None else ("rural" if value else "urban")
    return str(value)


def _breakdown_rows(f: MonitoringFilter, by: str, counts: dict[str, tuple[int, int]],
                    totals: Totals, table: PopulationTable | None = None) -> list[BreakdownRow]:
    labels, order = _labels(by, counts)
    population: dict[str, int] = {}
    complete = True
    if by in ("municipality", "age"):
        per_municipality, missing = _population(
            f, [int(k) for k in counts] if by == "municipality" else [], table)
        if by == "municipality":
            population = {str(m): sum(ages.values()) for m, ages in per_municipality.items()}
        else:
            complete = not (set(totals[2]) - set(per_municipality))
            for ages in per_municipality.values():
                for age, count in ages.items():
                    population[str(age)] = population.get(str(age), 0) + count
    rows = []
    for key in order:
        enrollments, children = counts.get(key, (0, 0))
        if not enrollments and not children:
            continue
        pop = population.get(key) if by in ("municipality", "age") else None
        rows.append(BreakdownRow(
            key=key, label=labels[key], enrollments=enrollments, enrollment_share=percent(enrollments, totals[0]),
            children=children, children_share=percent(children, totals[1]), population=pop,
            percent=percent(children, pop) if pop and complete else None))
    return rows


def _labels(by: str, counts: dict[str, tuple[int, int]]) -> tuple[dict[str, str], list[str]]:
    if by == "municipality":
        municipalities = Municipality.objects.filter(pk__in=[int(k) for k in counts]).order_by("name")
        labels = {str(m.pk): m.localized_name() for m in municipalities}
        return labels, list(labels)
    if by == "direction":
        directions = Direction.objects.filter(pk__in=[int(k) for k in counts]).order_by("country", "order")
        labels = {str(d.pk): d.localized_name() for d in directions}
        return labels, list(labels)
    if by == "organization_type":
        return {k: str(v) for k, v in Organization.Type.choices}, list(Organization.Type.values)
    if by == "category":
        return {k: str(v) for k, v in ChildCategory.Kind.choices}, list(ChildCategory.Kind.values)
    if by == "sex":
        return {k: str(v) for k, v in Sex.choices}, list(Sex.values)
    if by == "settlement_kind":
        return {k: str(v) for k, v in SETTLEMENT_KINDS.items()}, list(SETTLEMENT_KINDS)
    ages = sorted(int(k) for k in counts)
    return {str(a): _("возраст %(age)s") % {"age": a} for a in ages}, [str(a) for a in ages]


def clubs_per_child(*, f: MonitoringFilter, source: str = LIVE) -> ClubsPerChild:
    """Average number of active enrollments per counted child, and (live) how many children attend 1, 2, 3+."""
    return _clubs_of(f, coverage_summary(f=f, source=AGGREGATES) if source == AGGREGATES else None)


def _clubs_of(f: MonitoringFilter, cover: Coverage | None) -> ClubsPerChild:
    """:func:`clubs_per_child` from a coverage read from the aggregates; live (with the distribution) otherwise."""
    if cover is not None and cover.source == AGGREGATES:
        return ClubsPerChild(children=cover.children, enrollments=cover.enrollments,
                             average=cover.enrollments / cover.children if cover.children else None,
                             distribution=None, source=AGGREGATES, computed_at=cover.computed_at)
    per_child = _counted_enrollments(f).values("child_id").annotate(n=Count("id")).values_list("n", flat=True)
    distribution: Counter[int] = Counter()
    for n in per_child.order_by():
        distribution[min(n, 3)] += 1
    children = sum(distribution.values())
    enrollments = _counted_enrollments(f).count()
    return ClubsPerChild(children=children, enrollments=enrollments,
                         average=enrollments / children if children else None,
                         distribution={k: distribution.get(k, 0) for k in (1, 2, 3)}, source=LIVE,
                         computed_at=timezone.now())


def coverage_trend(*, f: MonitoringFilter, years: int = 3, source: str = LIVE) -> list[TrendPoint]:
    """Coverage on the same day of each of the ``years`` years ending with ``f.on``, oldest first."""
    return coverage_overview(f=f, years=years, source=source).trend


@dataclass(frozen=True)
class CoverageOverview:
    """The coverage figures of the dashboard, read together by :func:`coverage_overview`."""

    coverage: Coverage  # coverage_summary on f.on
    year_before: Coverage  # coverage_summary on the same day a year before
    clubs: ClubsPerChild
    breakdowns: dict[str, Breakdown]
    trend: list[TrendPoint]


def coverage_overview(*, f: MonitoringFilter, bys: Iterable[str] = (), years: int = 3,
                      source: str = LIVE) -> CoverageOverview:
    """:func:`coverage_summary` on ``f.on`` and a year before, :func:`clubs_per_child`, :func:`coverage_breakdown`
    by each of ``bys`` and :func:`coverage_trend` over ``years`` — the same figures as those functions give. From the
    aggregates it costs one read of the snapshots, one of the cells (every date and breakdown at once) and one of the
    population; a date without a snapshot is counted live."""
    bys = list(dict.fromkeys(bys))
    dates = [years_before(f.on, back) for back in range(years - 1, -1, -1)]
    before = years_before(f.on, 1)
    sums = _cell_sums(f, bys=bys, earlier=[*dates, before]) if source == AGGREGATES else {}
    table = _population_table(f, {day.year for day in (*dates, before, f.on)})
    covers = {day: _coverage_of(replace(f, on=day), sums.get(day), table) for day in {*dates, before, f.on}}
    cover = covers[f.on]
    return CoverageOverview(
        coverage=cover, year_before=covers[before],
        clubs=_clubs_of(f, cover if source == AGGREGATES else None),
        breakdowns={by: _breakdown_of(f, by, sums.get(f.on), table) for by in bys},
        trend=[TrendPoint(on=day, children=covers[day].children, population=covers[day].population,
                          percent=covers[day].percent, source=covers[day].source,
                          computed_at=covers[day].computed_at) for day in dates])


AGE_BANDS = ((5, 10), (10, 15), (15, 18))


@dataclass(frozen=True)
class CubeRow:
    municipality_id: int
    direction_id: int
    org_type: str
    band: str  # "5-9"
    children: int
    enrollments: int


@dataclass(frozen=True)
class Cube:
    rows: list[CubeRow]
    source: str = LIVE
    computed_at: dt.datetime | None = None


def _band_label(band: tuple[int, int]) -> str:
    return f"{band[0]}-{band[1] - 1}"


def coverage_cube(*, f: MonitoringFilter, bands: tuple[tuple[int, int], ...] = AGE_BANDS,
                  source: str = LIVE) -> Cube:
    """Unique children and enrollments by municipality × direction × organization type × age band (the
    full breakdown of the regional report; each child counts once per cell). Bands must lie in ``f``'s band."""
    if any(a < f.age_from or b > f.age_to or a >= b for a, b in bands):
        raise ValueError("bands must lie inside the filter's age band")
    found = _cells(f) if source == AGGREGATES else None
    if found is not None:
        cells = found[0]
        band = Case(*[When(age__gte=a, age__lt=b, then=Value(_band_label((a, b)))) for a, b in bands],
                    default=Value(""))
        sliced = cells.filter(direction__isnull=False, category="").exclude(org_type="")
        if f.direction_id is not None:
            sliced = sliced.filter(direction_id=f.direction_id)
        if f.organization_type is not None:
            sliced = sliced.filter(org_type=f.organization_type)
        rows = sliced.annotate(band=band).exclude(band="").values_list(
            "municipality_id", "direction_id", "org_type", "band").annotate(
            c=Sum("children"), e=Sum("enrollments")).order_by()
        result = [CubeRow(m, d, o, b, c, e) for m, d, o, b, c, e in rows]
        return Cube(rows=result, source=AGGREGATES, computed_at=found[1])
    columnar = connections["default"].vendor == "postgresql" and not isinstance(f.territory, Municipality)
    rows = _cube_columnar(f, bands) if columnar else _cube_sql(f, bands)
    return Cube(rows=rows, source=LIVE, computed_at=timezone.now())


def _cube_sql(f: MonitoringFilter, bands: tuple[tuple[int, int], ...]) -> list[CubeRow]:
    """The live cube as one SQL statement: a municipality's, and everything on SQLite."""
    band = Case(*[When(child__birth_date__gt=years_before(f.on, b), child__birth_date__lte=years_before(f.on, a),
                       then=Value(_band_label((a, b)))) for a, b in bands], default=Value(""))
    rows = _counted_enrollments(f).annotate(band=band).exclude(band="").values_list(
        "child__municipality_id", "group__programme__direction_id", "group__programme__organization__org_type",
        "band").annotate(c=Count("child_id", distinct=True), e=Count("id")).order_by()
    return [CubeRow(m, d, o, b, c, e) for m, d, o, b, c, e in rows]


def _cube_columnar(f: MonitoringFilter, bands: tuple[tuple[int, int], ...]) -> list[CubeRow]:
    """The live cube of a region or the installation on PostgreSQL: the same counts as :func:`_cube_sql`, the
    joins and distinct counts done in numpy (``kruzhok.monitoring.columnar``; ~4× quicker at 5 M enrollments)."""
    from kruzhok.monitoring import columnar

    territory = None if f.territory is None else (
        "municipality" if isinstance(f.territory, Municipality) else "region", f.territory.pk)
    rows = columnar.cube_rows(
        on=f.on, bands=bands, born_after=f.born_after, born_by=f.born_by,
        band_limits=[(years_before(f.on, b), years_before(f.on, a)) for a, b in bands], territory=territory,
        direction_id=f.direction_id, organization_type=f.organization_type)
    labels = [_band_label(band) for band in bands]
    return [CubeRow(m, d, o, labels[b], c, e) for m, d, o, b, c, e in rows]


# ------------------------------------------------------------------------------------------ from aggregates


def _cells(f: MonitoringFilter) -> tuple[QuerySet, dt.datetime] | None:
    """The aggregate cells of ``f``'s date, band and territory with the snapshot's time, or None when there is
    no snapshot for the date."""
    from kruzhok.monitoring.models import CoverageAggregate, CoverageSnapshot

    snapshot = CoverageSnapshot.objects.filter(on=f.on).values_list("pk", "computed_at").first()
    if snapshot is None:
        return None
    return CoverageAggregate.objects.filter(_cells_q(f), snapshot_id=snapshot[0]), snapshot[1]


def _cells_q(f: MonitoringFilter) -> Q:
    """The cells of ``f``'s territory and band. A region's municipalities are listed, not a subquery: with the
    list PostgreSQL estimates the rows and reads the partial slice indexes (twice as fast for a large region)."""
    if isinstance(f.territory, Region):
        territory = Q(municipality_id__in=list(Municipality.objects.filter(region_id=f.territory.pk)
                                               .values_list("pk", flat=True)))
    else:
        territory = _child_territory_q(f.territory, "")
    return territory & Q(age__gte=f.age_from, age__lt=f.age_to)


def _slice(cells: QuerySet, f: MonitoringFilter, by: str | None = None) -> QuerySet:
    """The cube slice of ``f``'s markers; the dimension ``by`` (if multi-valued) takes its non-"all" side."""
    if by == "direction":
        cells = cells.filter(direction__isnull=False)
    if f.direction_id is not None:
        cells = cells.filter(direction_id=f.direction_id)
    elif by != "direction":
        cells = cells.filter(direction__isnull=True)
    if by == "organization_type":
        cells = cells.exclude(org_type="")
    if f.organization_type is not None:
        cells = cells.filter(org_type=f.organization_type)
    elif by != "organization_type":
        cells = cells.filter(org_type="")
    return cells.exclude(category="") if by == "category" else cells.filter(category="")


CELL_COLUMNS = {"municipality": "municipality_id", "settlement_kind": "rural", "sex": "sex", "age": "age",
                "category": "category", "direction": "direction_id", "organization_type": "org_type"}


CELL_CACHE_SECONDS = 300


@dataclass(frozen=True)
class _Sums:
    """The cells of one snapshot summed for a filter: per municipality of the filter's slice (enrollments, children,
    the earliest ``computed_at``) and per key of each breakdown read (enrollments, children)."""

    computed_at: dt.datetime  # the snapshot's
    municipalities: dict[int, tuple[int, int, dt.datetime]] = field(default_factory=dict)
    breakdowns: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)

    def totals(self) -> tuple[Totals, dt.datetime | None]:
        rows = self.municipalities.items()
        return ((sum(e for _m, (e, _c, _at) in rows), sum(c for _m, (_e, c, _at) in rows),
                 [m for m, (_e, c, _at) in rows if c]), min((at for _m, (_e, _c, at) in rows), default=None))


def _cell_sums(f: MonitoringFilter, *, bys: Iterable[str] = (), earlier: Iterable[dt.date] = ()
               ) -> dict[dt.date, _Sums]:
    """The cells of ``f`` summed on ``f.on`` (totals and the breakdowns ``bys``) and on the ``earlier`` dates
    (totals): one query for the snapshots, one for every sum (a ``UNION ALL`` of small ``GROUP BY``s). A date
    without a snapshot is left out.

    The sums are kept in Django's cache for :data:`CELL_CACHE_SECONDS`, keyed by the filter, the snapshots'
    times and the newest cell's id: a full refresh changes the snapshot's time and a partial one inserts cells
    with new ids, so either makes the next read a miss. (A partial refresh that only deletes cells — a
    municipality left with no active enrollment — shows after the timeout.)"""
    from kruzhok.monitoring.models import CoverageAggregate, CoverageSnapshot

    bys = list(dict.fromkeys(bys))
    newest = CoverageAggregate.objects.order_by("-pk").values("pk")[:1]
    snapshots = {pk: (on, at, last) for pk, on, at, last in CoverageSnapshot.objects.filter(
        on__in={f.on, *earlier}).annotate(last=Subquery(newest)).values_list("pk", "on", "computed_at", "last")}
    if not snapshots:
        return {}
    territory = (type(f.territory).__name__, f.territory.pk) if f.territory is not None else None
    key = "monitoring:cells:" + hashlib.sha1(repr((
        territory, f.on, f.age_from, f.age_to, f.direction_id, f.organization_type, bys,
        sorted(snapshots.items()))).encode()).hexdigest()
    sums = cache.get(key)
    if sums is None:
        sums = _cell_sums_read(f, bys, {pk: on for pk, (on, _at, _last) in snapshots.items()},
                               {on: at for on, at, _last in snapshots.values()})
        cache.set(key, sums, CELL_CACHE_SECONDS)
    return sums


def _cell_sums_read(f: MonitoringFilter, bys: list[str], snapshots: dict[int, dt.date],
                    computed: dict[dt.date, dt.datetime]) -> dict[dt.date, _Sums]:
    from kruzhok.monitoring.models import CoverageAggregate

    sums = {on: _Sums(computed_at=at) for on, at in computed.items()}
    cells = CoverageAggregate.objects.filter(_cells_q(f))
    parts = [_summed(_slice(cells.filter(snapshot_id__in=list(snapshots)), f), "", "municipality_id")]
    current = next((pk for pk, on in snapshots.items() if on == f.on), None)
    bys = bys if current is not None else []
    parts += [_summed(_slice(cells.filter(snapshot_id=current), f, by), by, CELL_COLUMNS[by])
              for by in bys if by != "municipality"]
    for by in bys:
        sums[f.on].breakdowns[by] = {}
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for snapshot_id, by, key, enrollments, children, at in query:
        day = snapshots[snapshot_id]
        if by:
            sums[day].breakdowns[by][_cell_key(by, key)] = (enrollments, children)
        else:
            sums[day].municipalities[int(key)] = (enrollments, children, at)
    if "municipality" in bys:  # the totals' rows
        sums[f.on].breakdowns["municipality"] = {str(m): (e, c) for m, (e, c, _at) in
                                                 sums[f.on].municipalities.items()}
    return sums


def _summed(cells: QuerySet, by: str, column: str) -> QuerySet:
    return cells.values_list("snapshot_id", Value(by), Cast(column, CharField())).annotate(
        e=Sum("enrollments"), c=Sum("children"), at=Min("computed_at")).order_by()


def _cell_key(by: str, value: str | None) -> str:
    """A breakdown key from a cell column read as text (``rural``: "true"/"1" or "false"/"0", or NULL)."""
    if by == "settlement_kind":
        return "unknown" if value is None else ("rural" if value.lower() in ("1", "true", "t") else "urban")
    return str(value)


# ------------------------------------------------------------------------------------------- drill-downs


def coverage_enrollments(*, f: MonitoringFilter, by: str | None = None, key: str | None = None
                         ) -> QuerySet[Enrollment]:
    """The enrollments counted in coverage (optionally those of one breakdown row)."""
    return (_counted_enrollments(f).filter(_row_q(f, by, key))
            .select_related("child", "group__programme__organization", "group__programme__direction")
            .order_by("child__surname", "child__name", "id"))


def coverage_children(*, f: MonitoringFilter, by: str | None = None, key: str | None = None) -> QuerySet[Child]:
    """The unique children counted in coverage (optionally those of one breakdown row)."""
    ids = _counted_enrollments(f).filter(_row_q(f, by, key)).values("child_id")
    return Child.objects.filter(pk__in=ids).select_related("municipality", "settlement").order_by(
        "surname", "name", "patronymic", "id")


# ------------------------------------------------------------------------------------ organization side


def _programmes(f: MonitoringFilter) -> QuerySet[Programme]:
    qs = Programme.objects.exclude(status=Programme.Status.ARCHIVED).filter(
        _org_territory_q(f.territory, "organization"))
    if f.direction_id is not None:
        qs = qs.filter(direction_id=f.direction_id)
    if f.organization_type is not None:
        qs = qs.filter(organization__org_type=f.organization_type)
    return qs


FLAG_Q = {
    "network": Q(is_network=True),
    "adapted_ovz": Q(adapted_ovz=True),
    "certificate": Q(funding=Programme.Funding.CERTIFICATE),
    "remote": Q(form__in=[Programme.Form.REMOTE, Programme.Form.BLENDED]),
    "summer_shift": Q(is_summer_shift=True),
    "socially_significant": Q(is_socially_significant=True),
    "gifted": Q(for_gifted=True),
    "difficult_situation": Q(for_difficult_situation=True),
}


def programme_flag_counts(*, f: MonitoringFilter) -> FlagCounts:
    """Programmes (not archived) of the territory's organizations, and how many carry each flag."""
    values = _programmes(f).aggregate(total=Count("id"),
                                      **{key: Count("id", filter=q) for key, q in FLAG_Q.items()})
    total = values["total"]
    return FlagCounts(total=total, rows=[FlagRow(key=key, label=str(PROGRAMME_FLAGS[key]), count=values[key],
                                                 share=percent(values[key], total)) for key in FLAG_Q])


def flag_programmes(*, f: MonitoringFilter, flag: str | None = None) -> QuerySet[Programme]:
    """The programmes counted by :func:`programme_flag_counts` (optionally those with ``flag``)."""
    qs = _programmes(f)
    if flag is not None:
        qs = qs.filter(FLAG_Q[flag])
    return qs.select_related("organization", "direction").order_by("organization__short_name", "title")


def _groups(f: MonitoringFilter) -> QuerySet[Group]:
    qs = Group.objects.filter(is_active=True, period_start__lte=f.on, period_end__gte=f.on).filter(
        _org_territory_q(f.territory, "programme__organization"))
    if f.direction_id is not None:
        qs = qs.filter(programme__direction_id=f.direction_id)
    if f.organization_type is not None:
        qs = qs.filter(programme__organization__org_type=f.organization_type)
    return qs


def _fill_state(enrolled: int, capacity: int, threshold: float) -> str:
    if enrolled > capacity:
        return "over"
    if enrolled == capacity:
        return "full"
    if enrolled < threshold * capacity:
        return "under"
    return "normal"


def fill_groups(*, f: MonitoringFilter, state: str | None = None, under_threshold: float = 0.5
                ) -> QuerySet[Group]:
    """Active groups of the territory on ``f.on`` annotated with ``active_enrollments`` (optionally one state)."""
    qs = _groups(f).annotate(active_enrollments=Count("enrollments", filter=_active_on(f.on, "enrollments__")))
    if state == "over":
        qs = qs.filter(active_enrollments__gt=F("capacity"))
    elif state == "full":
        qs = qs.filter(active_enrollments=F("capacity"))
    elif state == "under":
        qs = qs.filter(active_enrollments__lt=F("capacity") * under_threshold)
    elif state == "normal":
        qs = qs.filter(active_enrollments__gte=F("capacity") * under_threshold, active_enrollments__lt=F("capacity"))
    elif state is not None:
        raise ValueError(f"unknown fill state {state!r}")
    return qs.select_related("programme__organization").order_by("programme__organization__short_name",
                                                                 "programme__title", "name", "id")


def _active_per_group(f: MonitoringFilter, groups: QuerySet[Group]) -> dict[int, int]:
    """Enrollments active on ``f.on`` per group of ``groups`` (groups without any are absent). Counted over the
    enrollments and hashed by group: joined group by group through the index, PostgreSQL reads the 5 million
    enrollments of a country in random order (40 s for a region under load instead of 3 s)."""
    return dict(Enrollment.objects.filter(_active_on(f.on), group__in=groups.values("pk")).values_list("group_id")
                .annotate(n=Count("id")).order_by())


def group_fill(*, f: MonitoringFilter, under_threshold: float = 0.5) -> GroupFill:
    """Seats taken on ``f.on``: groups under-filled (below ``under_threshold`` of capacity), full, over capacity.

    Over capacity cannot happen through the application (the database refuses it), so any such group is a
    data-integrity alarm. The enrollments are counted apart from the groups (:func:`_active_per_group`).
    """
    counts = _active_per_group(f, _groups(f))
    rows = [(*row, counts.get(row[0], 0)) for row in _groups(f).order_by(
        "programme__organization__short_name", "programme__title", "name", "id").values_list(
        "id", "name", "programme__title", "programme__organization_id", "programme__organization__short_name",
        "capacity")]
    states: Counter[str] = Counter()
    problems: list[GroupFillRow] = []
    for gid, name, title, org_id, org_name, capacity, enrolled in rows:
        state = _fill_state(enrolled, capacity, under_threshold)
        states[state] += 1
        if state in ("over", "under"):
            problems.append(GroupFillRow(group_id=gid, group=name, programme=title, organization_id=org_id,
                                         organization=org_name, capacity=capacity, enrolled=enrolled,
                                         fill=enrolled / capacity, state=state))
    problems.sort(key=lambda r: (r.state != "over", r.fill, r.organization, r.group))
    capacity = sum(r[5] for r in rows)
    enrolled = sum(r[6] for r in rows)
    return GroupFill(groups=len(rows), capacity=capacity, enrolled=enrolled,
                     mean_fill=enrolled / capacity if capacity else None, under=states["under"],
                     normal=states["normal"], full=states["full"], over=states["over"], threshold=under_threshold,
                     alarm=states["over"] > 0, problems=problems[:MAX_LISTED])


def _applications(f: MonitoringFilter, start: dt.date, end: dt.date) -> QuerySet[Application]:
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = Application.objects.filter(submitted_at__gte=since, submitted_at__lt=until).filter(
        _org_territory_q(f.territory, "group__programme__organization")).exclude(status=ApplicationStatus.WITHDRAWN)
    if f.direction_id is not None:
        qs = qs.filter(group__programme__direction_id=f.direction_id)
    if f.organization_type is not None:
        qs = qs.filter(group__programme__organization__org_type=f.organization_type)
    return qs


def _timeliness_q(state: str, now: dt.datetime) -> Q:
    answered = Q(decided_at__isnull=False)
    if state == "in_time":
        return answered & Q(answer_due_at__isnull=False, decided_at__lte=F("answer_due_at"))
    if state == "late":
        return answered & Q(answer_due_at__isnull=False, decided_at__gt=F("answer_due_at"))
    if state == "overdue":
        return Q(decided_at__isnull=True, answer_due_at__lt=now)
    if state == "pending":
        return Q(decided_at__isnull=True) & (Q(answer_due_at__isnull=True) | Q(answer_due_at__gte=now))
    raise ValueError(f"unknown timeliness state {state!r}")


def timeliness_applications(*, f: MonitoringFilter, start: dt.date, end: dt.date, state: str | None = None,
                            now: dt.datetime | None = None) -> QuerySet[Application]:
    """Applications submitted in [start, end] to the territory's groups (withdrawn ones aside), by state."""
    qs = _applications(f, start, end)
    if state is not None:
        qs = qs.filter(_timeliness_q(state, now or timezone.now()))
    return qs.select_related("child", "group__programme__organization").order_by("submitted_at", "id")


def application_timeliness(*, f: MonitoringFilter, start: dt.date, end: dt.date,
                           now: dt.datetime | None = None) -> Timeliness:
    """How the territory's organizations answered the applications submitted in [start, end].

    Answered = a decision was recorded (``decided_at``); in time = decided by ``answer_due_at``; overdue = still
    undecided after ``answer_due_at``. The share in time is ``in_time / (in_time + late + overdue)``; the
    median is of the hours from submission to decision. Applications the family withdrew are left out.
    Counted in the database: one query for the counts, one for the median, one for the overdue list.
    """
    now = now or timezone.now()
    applications = _applications(f, start, end)
    counts = applications.aggregate(**_timeliness_counts(now))
    overdue_rows = [
        OverdueRow(application_id=a.pk, child=str(a.child), group=a.group.name,
                   organization=a.group.programme.organization.short_name, submitted_at=a.submitted_at,
                   answer_due_at=a.answer_due_at or now, days_overdue=(now - (a.answer_due_at or now)).days)
        for a in timeliness_applications(f=f, start=start, end=end, state="overdue", now=now)[:MAX_LISTED]]
    return _timeliness(counts, _median_decision_hours(applications, counts["answered"]), overdue_rows)


def _timeliness_counts(now: dt.datetime) -> dict[str, Count]:
    """The aggregates of :class:`Timeliness`'s counts over a queryset of applications."""
    return {"total": Count("id"), "answered": Count("id", filter=Q(decided_at__isnull=False)),
            "without": Count("id", filter=Q(decided_at__isnull=False, answer_due_at__isnull=True)),
            **{state: Count("id", filter=_timeliness_q(state, now)) for state in TIMELINESS_STATES}}


def _timeliness(counts: dict[str, int], median_hours: float | None, overdue_list: list[OverdueRow]) -> Timeliness:
    in_time, late, overdue = counts["in_time"], counts["late"], counts["overdue"]
    return Timeliness(total=counts["total"], answered=counts["answered"], answered_in_time=in_time,
                      answered_late=late, pending=counts["pending"], overdue=overdue,
                      without_deadline=counts["without"], share_in_time=percent(in_time, in_time + late + overdue),
                      median_hours=median_hours, overdue_list=overdue_list)


class _MedianDuration(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)`` of an interval (the mean of the two middle values for an even count)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _decision_time() -> ExpressionWrapper:
    return ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())


def _hours(duration: dt.timedelta) -> float:
    return duration.total_seconds() / 3600


def _median_decision_hours(applications: QuerySet[Application], answered: int) -> float | None:
    """Median hours from submission to decision of the ``answered`` decided applications of the queryset.

    PostgreSQL computes it (``percentile_cont``); elsewhere the one or two middle rows are read in the order of
    their decision time (``OFFSET``), never the whole list."""
    if not answered:
        return None
    decided = applications.filter(decided_at__isnull=False).order_by()
    if connections[decided.db].vendor == "postgresql":
        return _hours(decided.aggregate(m=_MedianDuration(_decision_time()))["m"])
    middle = (answered - 1) // 2
    rows = decided.annotate(t=_decision_time()).order_by("t").values_list("t", flat=True)
    hours = [_hours(t) for t in rows[middle:middle + 2 - answered % 2]]
    return sum(hours) / len(hours)


@dataclass
class _Card:
    programme_id: int
    title: str
    organization_id: int
    organization: str
    defects: set[str] = field(default_factory=set)


def _cards(f: MonitoringFilter) -> list[_Card]:
    programmes = list(_programmes(f).values_list(
        "id", "title", "organization_id", "organization__short_name", "status", "code", "description",
        "age_from", "age_to"))
    cards: dict[int, _Card] = {}
    ages: dict[int, tuple[int, int]] = {}
    for pid, title, org_id, org_name, status, code, description, age_from, age_to in programmes:
        card = cards[pid] = _Card(pid, title, org_id, org_name)
        ages[pid] = (age_from, age_to)
        if status == Programme.Status.DRAFT:
            card.defects.add("draft")
        if not code.strip():
            card.defects.add("no_code")
        if not description.strip():
            card.defects.add("no_description")
        elif len(description.strip()) < MIN_DESCRIPTION:
            card.defects.add("short_description")
    groups = Group.objects.filter(programme__in=_programmes(f), is_active=True, period_end__gte=f.on)
    scheduled = set(ScheduleSlot.objects.filter(group__in=groups).values_list("group_id", flat=True).distinct())
    taught = set(Group.teachers.through.objects.filter(group__in=groups).values_list("group_id", flat=True)
                 .distinct())
    enrolled = _active_per_group(f, groups)
    closed_before = dt.datetime.combine(f.on, dt.time.min, tzinfo=timezone.get_current_timezone())
    has_group: set[int] = set()
    for gid, pid, age_from, age_to, venue_id, closes_at in groups.values_list(
            "id", "programme_id", "age_from", "age_to", "venue_id", "enrollment_closes_at"):
        card = cards[pid]
        has_group.add(pid)
        if gid not in scheduled:
            card.defects.add("no_schedule")
        if gid not in taught:
            card.defects.add("no_teacher")
        if venue_id is None:
            card.defects.add("no_venue")
        if age_from < ages[pid][0] or age_to > ages[pid][1]:
            card.defects.add("group_ages_outside")
        if closes_at is not None and closes_at < closed_before and not enrolled.get(gid):
            card.defects.add("window_closed_empty")
    for pid, card in cards.items():
        if pid not in has_group:
            card.defects.add("no_groups")
    return list(cards.values())


def _score(defects: set[str]) -> float:
    return 100.0 * (len(CARD_CHECKS) - len(defects)) / len(CARD_CHECKS)


def card_completeness(*, f: MonitoringFilter) -> CardCompleteness:
    """Score of every programme card (share of the :data:`CARD_DEFECTS` checks it passes, 0–100) and the
    defects per organization. Groups checked: active and not yet ended on ``f.on``."""
    cards = _cards(f)
    scores = [CardScore(programme_id=c.programme_id, title=c.title, organization_id=c.organization_id,
                        organization=c.organization, score=_score(c.defects),
                        defects=tuple(d for d in CARD_CHECKS if d in c.defects)) for c in cards]
    scores.sort(key=lambda s: (s.score, s.organization, s.title))
    per_org: dict[int, list[CardScore]] = defaultdict(list)
    for s in scores:
        per_org[s.organization_id].append(s)
    organizations = []
    for org_id, items in per_org.items():
        defects = Counter(d for s in items for d in s.defects)
        organizations.append(OrgDefects(organization_id=org_id, organization=items[0].organization,
                                        programmes=len(items), mean_score=sum(s.score for s in items) / len(items),
                                        defects={d: defects[d] for d in CARD_CHECKS if defects[d]}))
    organizations.sort(key=lambda o: (o.mean_score, o.organization))
    counts = Counter(d for s in scores for d in s.defects)
    return CardCompleteness(programmes=len(scores),
                            mean_score=sum(s.score for s in scores) / len(scores) if scores else None,
                            cards=scores, organizations=organizations,
                            defect_counts={d: counts[d] for d in CARD_CHECKS})


def card_programmes(*, f: MonitoringFilter, defect: str | None = None) -> QuerySet[Programme]:
    """The programmes scored by :func:`card_completeness` (optionally those with ``defect``)."""
    qs = _programmes(f)
    if defect is not None:
        if defect not in CARD_DEFECTS:
            raise ValueError(f"unknown card defect {defect!r}")
        qs = qs.filter(pk__in=[c.programme_id for c in _cards(f) if defect in c.defects])
    return qs.select_related("organization", "direction").order_by("organization__short_name", "title")


def staffing_teachers(*, f: MonitoringFilter, education: str | None = None, category: str | None = None
                      ) -> QuerySet[Teacher]:
    """Teachers employed on ``f.on`` by the territory's organizations (of the type; teaching the direction)."""
    employments = Q(_active_on(f.on, "employments__")) & _org_territory_q(f.territory, "employments__organization")
    if f.organization_type is not None:
        employments &= Q(employments__organization__org_type=f.organization_type)
    ids = Teacher.objects.filter(employments)
    if f.direction_id is not None:
        ids = ids.filter(groups__programme__direction_id=f.direction_id)
    qs = Teacher.objects.filter(pk__in=ids.values("pk"))
    if education is not None:
        qs = qs.filter(education_level=education)
    if category is not None:
        qs = qs.filter(category=category)
    return qs.order_by("surname", "name", "id")


def _pupils(f: MonitoringFilter) -> QuerySet[Enrollment]:
    """Enrollments active on ``f.on`` of unmerged children of the band in the territory's organizations (of the
    type; in the direction): the children that :func:`staffing` sets against the teachers."""
    qs = Enrollment.objects.filter(
        _active_on(f.on), _org_territory_q(f.territory, "group__programme__organization"),
        child__merged_into__isnull=True, child__birth_date__gt=f.born_after, child__birth_date__lte=f.born_by)
    if f.direction_id is not None:
        qs = qs.filter(group__programme__direction_id=f.direction_id)
    if f.organization_type is not None:
        qs = qs.filter(group__programme__organization__org_type=f.organization_type)
    return qs


def _staffing_of(*, total: int, education: Counter[str], category: Counter[str], with_courses: int, external: int,
                 children: int, per_teacher: bool = True) -> Staffing:
    highest = sum(category[c] for c in HIGHEST_CATEGORIES)
    first = sum(category[c] for c in FIRST_CATEGORIES)
    return Staffing(
        teachers=total,
        by_education=[ShareRow(key=k, label=str(v), count=education[k], share=percent(education[k], total))
                      for k, v in Teacher.Education.choices if education[k]],
        by_category=[ShareRow(key=k, label=str(v), count=category[k], share=percent(category[k], total))
                     for k, v in Teacher.Category.choices if category[k]],
        highest_share=percent(highest, total), first_share=percent(first, total),
        highest_or_first_share=percent(highest + first, total), with_courses_3y=with_courses,
        courses_share=percent(with_courses, total), external=external,
        children=children, children_per_teacher=children / total if total and per_teacher else None)


def staffing(*, f: MonitoringFilter) -> Staffing:
    """Teachers by education level and qualification category, courses in the last three years, children per
    teacher (unique children of the band enrolled on ``f.on`` in the territory's organizations)."""
    teachers = list(staffing_teachers(f=f).values_list("id", "education_level", "category",
                                                        "is_external_specialist"))
    since = years_before(f.on, 3)
    with_courses = Course.objects.filter(teacher_id__in=[t[0] for t in teachers], completed_on__gt=since,
                                         completed_on__lte=f.on).values("teacher_id").distinct().count()
    # COUNT(DISTINCT): 5 s for a country's 4 million active enrollments, where SELECT DISTINCT … COUNT(*) spilled its
    # hash to disk for minutes on PostgreSQL
    children = _pupils(f).aggregate(n=Count("child_id", distinct=True))["n"]
    return _staffing_of(total=len(teachers), education=Counter(t[1] for t in teachers),
                        category=Counter(t[2] for t in teachers), with_courses=with_courses,
                        external=sum(1 for t in teachers if t[3]), children=children)


__all__ = [
    "AGGREGATES", "BREAKDOWNS", "BREAKDOWN_LABELS", "CARD_DEFECTS", "LIVE", "PROGRAMME_FLAGS", "Breakdown",
    "BreakdownRow", "CardCompleteness", "CardScore", "ClubsPerChild", "Coverage", "CoverageOverview", "FlagCounts",
    "FlagRow", "GroupFill", "GroupFillRow", "MonitoringFilter", "OrgDefects", "OverdueRow", "ShareRow", "Staffing",
    "Timeliness", "TrendPoint", "application_timeliness", "card_completeness", "card_programmes",
    "clubs_per_child", "coverage_breakdown", "coverage_breakdowns", "coverage_children", "coverage_enrollments",
    "coverage_overview", "coverage_summary", "coverage_trend", "fill_groups", "flag_programmes", "group_fill",
    "monitoring_access", "monitoring_territories",
    "programme_flag_counts", "staffing", "staffing_teachers", "timeliness_applications",
]


# ------------------------------------------------------------------------------- by municipality, at once
#
# The regional table needs every figure for each municipality of a region: one grouped query per figure
# (GROUP BY municipality) instead of the per-territory selectors called once per municipality. Each
# ``…_by_municipality`` gives, for every municipality of ``f.territory`` (a region, one municipality, or None = all),
# what the per-territory selector gives for it, and the territory's total; the lists of problems, cards and
# overdue applications are left empty (the table shows counts). ``test_selectors_grouped`` holds them equal.

T = TypeVar("T")


@dataclass(frozen=True)
class ByMunicipality(Generic[T]):
    rows: dict[int, T]  # municipality pk → the figure; every municipality of the territory
    total: T  # the whole territory


def _municipalities_of(territory: Territory) -> list[Municipality]:
    qs = Municipality.objects.all()
    if isinstance(territory, Region):
        qs = qs.filter(region_id=territory.pk)
    elif isinstance(territory, Municipality):
        qs = qs.filter(pk=territory.pk)
    return list(qs.order_by("name", "pk"))


def _grouped_counts(qs: QuerySet, column: str, aggregates: dict[str, Any], ids: Iterable[int]
                    ) -> tuple[dict[int, Counter[str]], Counter[str]]:
    """``aggregates`` of ``qs`` per value of ``column`` (a municipality pk), zero for the municipalities without rows,
    and their sum over all rows (the total of additive counts)."""
    rows: dict[int, Counter[str]] = {pk: Counter() for pk in ids}
    total: Counter[str] = Counter()
    for values in qs.order_by().values(column).annotate(**aggregates):
        key = values.pop(column)
        counts = Counter({k: v or 0 for k, v in values.items()})
        total.update(counts)
        if key in rows:
            rows[key] = counts
    return rows, total


def coverage_by_municipality(*, f: MonitoringFilter, source: str = LIVE) -> ByMunicipality[Coverage]:
    """:func:`coverage_summary` of each municipality (by residence) and of the territory: the summed cells, or live
    two grouped counts (:func:`_counted_by_municipality`), and one population read for all of them."""
    sums = _cell_sums(f).get(f.on) if source == AGGREGATES else None
    counts = sums.municipalities if sums is not None else _counted_by_municipality(f)
    table = _population_table(f, [f.on.year])
    rows = {}
    for m in _municipalities_of(f.territory):
        enrollments, children, at = counts.get(m.pk, (0, 0, None))
        own: PopulationTable = {f.on.year: {m.pk: table[f.on.year][m.pk]} if m.pk in table[f.on.year] else {}}
        rows[m.pk] = _coverage(replace(f, territory=m), children=children, enrollments=enrollments,
                               municipality_ids=[m.pk] if children else [],
                               source=LIVE if sums is None else AGGREGATES,
                               computed_at=None if sums is None else at or sums.computed_at, table=own)
    if sums is not None:
        return ByMunicipality(rows=rows, total=_coverage_of(f, sums, table))
    # a child lives in one municipality: the territory's unique children are the sum of its municipalities'
    total = _coverage(f, children=sum(c for _e, c, _at in counts.values()),
                      enrollments=sum(e for e, _c, _at in counts.values()),
                      municipality_ids=[pk for pk, (_e, c, _at) in counts.items() if c], source=LIVE,
                      computed_at=None, table=table)
    return ByMunicipality(rows=rows, total=total)


def _counted_by_municipality(f: MonitoringFilter) -> dict[int, tuple[int, int, None]]:
    """The counted enrollments and unique children of :func:`_counted_enrollments` per municipality of residence.

    The children are counted as children with such an enrollment (a semi-join), not as distinct ids of the
    enrollments: no sort of every enrollment."""
    enrolled = Enrollment.objects.filter(_active_on(f.on), child_id=OuterRef("pk"))
    if f.direction_id is not None:
        enrolled = enrolled.filter(group__programme__direction_id=f.direction_id)
    if f.organization_type is not None:
        enrolled = enrolled.filter(group__programme__organization__org_type=f.organization_type)
    children = dict(Child.objects.filter(
        _child_territory_q(f.territory, ""), Exists(enrolled), merged_into__isnull=True,
        birth_date__gt=f.born_after, birth_date__lte=f.born_by,
    ).values_list("municipality_id").annotate(n=Count("id")).order_by())
    enrollments = _counted_enrollments(f).values_list("child__municipality_id").annotate(n=Count("id")).order_by()
    return {pk: (n, children.get(pk, 0), None) for pk, n in enrollments}


def _licensed(territory: Territory) -> QuerySet[Organization]:
    return Organization.objects.filter(_child_territory_q(territory, ""), is_active=True).exclude(licence_number="")


def organizations_licensed(*, territory: Territory) -> int:
    """Active organizations holding a licence for supplementary education in the territory (seed 002: «21»)."""
    return _licensed(territory).count()


def organizations_licensed_by_municipality(*, territory: Territory) -> ByMunicipality[int]:
    rows, total = _grouped_counts(_licensed(territory), "municipality_id", {"n": Count("id")},
                                  [m.pk for m in _municipalities_of(territory)])
    return ByMunicipality(rows={pk: c["n"] for pk, c in rows.items()}, total=total["n"])


def programme_flag_counts_by_municipality(*, f: MonitoringFilter) -> ByMunicipality[FlagCounts]:
    """:func:`programme_flag_counts` of each municipality (by the organization's municipality), in one query."""
    # "flag_" + key: an aggregate named like a column (adapted_ovz) would stand for it in the filters after it
    aggregates = {"total": Count("id"), **{f"flag_{key}": Count("id", filter=q) for key, q in FLAG_Q.items()}}
    rows, total = _grouped_counts(_programmes(f), "organization__municipality_id", aggregates,
                                  [m.pk for m in _municipalities_of(f.territory)])
    return ByMunicipality(rows={pk: _flag_counts(c) for pk, c in rows.items()}, total=_flag_counts(total))


def _flag_counts(values: Counter[str]) -> FlagCounts:
    total = values["total"]
    return FlagCounts(total=total, rows=[FlagRow(key=key, label=str(PROGRAMME_FLAGS[key]), count=values[f"flag_{key}"],
                                                 share=percent(values[f"flag_{key}"], total)) for key in FLAG_Q])


def group_fill_by_municipality(*, f: MonitoringFilter, under_threshold: float = 0.5) -> ByMunicipality[GroupFill]:
    """:func:`group_fill` of each municipality (without the list of problem groups): the groups in one query, their
    active enrollments counted in another (grouped by group: one pass over the enrollments, no lookup per group),
    added up per municipality here."""
    groups = _groups(f)
    enrolled = dict(Enrollment.objects.filter(_active_on(f.on), group__in=groups.values("pk")).values_list(
        "group_id").annotate(n=Count("id")).order_by())
    rows: dict[int, Counter[str]] = {m.pk: Counter() for m in _municipalities_of(f.territory)}
    total: Counter[str] = Counter()
    for group_id, municipality_id, capacity in groups.order_by().values_list(
            "id", "programme__organization__municipality_id", "capacity"):
        n = enrolled.get(group_id, 0)
        state = _fill_state(n, capacity, under_threshold)
        for counts in (rows.get(municipality_id), total):
            if counts is not None:
                counts.update({"groups": 1, "capacity": capacity, "enrolled": n, state: 1})

    def fill(c: Counter[str]) -> GroupFill:
        return GroupFill(groups=c["groups"], capacity=c["capacity"], enrolled=c["enrolled"],
                         mean_fill=c["enrolled"] / c["capacity"] if c["capacity"] else None, under=c["under"],
                         normal=c["normal"], full=c["full"], over=c["over"], threshold=under_threshold,
                         alarm=c["over"] > 0, problems=[])

    return ByMunicipality(rows={pk: fill(c) for pk, c in rows.items()}, total=fill(total))


# Python's str.strip() characters: a card's code and description are judged after stripping them.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
              "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


class _Strip(Func):
    """``TRIM(text, WHITESPACE)`` (``BTRIM`` on PostgreSQL): the text as ``str.strip()`` leaves it."""

    function = "TRIM"
    output_field = CharField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, Value(WHITESPACE))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="BTRIM", **extra)


def _card_defect_q(f: MonitoringFilter) -> dict[str, Q]:
    """Each :data:`CARD_DEFECTS` check of :func:`card_completeness` as a condition on a programme row (annotated
    with ``code_length`` and ``description_length``)."""
    groups = Group.objects.filter(programme_id=OuterRef("pk"), is_active=True, period_end__gte=f.on)
    enrolled = Enrollment.objects.filter(_active_on(f.on), group_id=OuterRef("pk"))
    closed_before = dt.datetime.combine(f.on, dt.time.min, tzinfo=timezone.get_current_timezone())
    return {
        "draft": Q(status=Programme.Status.DRAFT),
        "no_code": Q(code_length=0),
        "no_description": Q(description_length=0),
        "short_description": Q(description_length__gt=0, description_length__lt=MIN_DESCRIPTION),
        "no_groups": ~Q(Exists(groups)),
        "no_schedule": Q(Exists(groups.exclude(Exists(ScheduleSlot.objects.filter(group_id=OuterRef("pk")))))),
        "group_ages_outside": Q(Exists(groups.filter(Q(age_from__lt=F("programme__age_from"))
                                                     | Q(age_to__gt=F("programme__age_to"))))),
        "no_teacher": Q(Exists(groups.exclude(Exists(Group.teachers.through.objects.filter(
            group_id=OuterRef("pk")))))),
        "no_venue": Q(Exists(groups.filter(venue__isnull=True))),
        "window_closed_empty": Q(Exists(groups.filter(enrollment_closes_at__lt=closed_before).exclude(
            Exists(enrolled)))),
    }


def card_completeness_by_municipality(*, f: MonitoringFilter) -> ByMunicipality[CardCompleteness]:
    """:func:`card_completeness` of each municipality (programmes, mean score, defect counts; no card lists), the
    checks done by the database in one query."""
    programmes = _programmes(f).annotate(code_length=Length(_Strip("code")),
                                         description_length=Length(_Strip("description")))
    aggregates = {"programmes": Count("id"),
                  **{defect: Count("id", filter=q) for defect, q in _card_defect_q(f).items()}}
    rows, total = _grouped_counts(programmes, "organization__municipality_id", aggregates,
                                  [m.pk for m in _municipalities_of(f.territory)])

    def completeness(c: Counter[str]) -> CardCompleteness:
        n = c["programmes"]
        # the sum of the cards' scores: each is a whole number, so the sum is exact and the mean equals the
        # per-card mean of card_completeness
        scores = 100.0 * (len(CARD_CHECKS) * n - sum(c[d] for d in CARD_CHECKS)) / len(CARD_CHECKS)
        return CardCompleteness(programmes=n, mean_score=scores / n if n else None, cards=[], organizations=[],
                                defect_counts={d: c[d] for d in CARD_CHECKS})

    return ByMunicipality(rows={pk: completeness(c) for pk, c in rows.items()}, total=completeness(total))


def application_timeliness_by_municipality(*, f: MonitoringFilter, start: dt.date, end: dt.date,
                                           now: dt.datetime | None = None, median: bool = True
                                           ) -> ByMunicipality[Timeliness]:
    """:func:`application_timeliness` of each municipality (without the overdue list): the counts in one grouped
    query; with ``median``, the medians in two more (per municipality, and of the territory). ``median=False``
    leaves ``median_hours`` None: the regional table does not show it, and it is a sort of every decision."""
    now = now or timezone.now()
    column = "group__programme__organization__municipality_id"
    applications = _applications(f, start, end)
    rows, total = _grouped_counts(applications, column, _timeliness_counts(now),
                                  [m.pk for m in _municipalities_of(f.territory)])
    if not median:
        return ByMunicipality(rows={pk: _timeliness(c, None, []) for pk, c in rows.items()},
                              total=_timeliness(total, None, []))
    medians = _median_decision_hours_by(applications, column)
    return ByMunicipality(
        rows={pk: _timeliness(c, medians.get(pk), []) for pk, c in rows.items()},
        total=_timeliness(total, _median_decision_hours(applications, total["answered"]), []))


def _median_decision_hours_by(applications: QuerySet[Application], column: str) -> dict[Any, float]:
    """:func:`_median_decision_hours` per value of ``column``: ``percentile_cont`` grouped on PostgreSQL, elsewhere
    the middle rows of each group picked by a window (row number and count per group)."""
    decided = applications.filter(decided_at__isnull=False).order_by()
    if connections[decided.db].vendor == "postgresql":
        return {key: _hours(m) for key, m in decided.values_list(column).annotate(
            m=_MedianDuration(_decision_time()))}
    middle = decided.annotate(
        t=_decision_time(), key=F(column),
        rank=Window(RowNumber(), partition_by=[F(column)], order_by=[_decision_time().asc(), F("pk").asc()]),
        n=Window(Count("id"), partition_by=[F(column)]),
    ).filter(rank__gte=(F("n") + 1) / 2, rank__lte=F("n") / 2 + 1)
    hours: dict[Any, list[float]] = defaultdict(list)
    for key, t in middle.values_list("key", "t"):
        hours[key].append(_hours(t))
    return {key: sum(values) / len(values) for key, values in hours.items()}


def staffing_by_municipality(*, f: MonitoringFilter, children: bool = True) -> ByMunicipality[Staffing]:
    """:func:`staffing` of each municipality: teachers employed on ``f.on`` by its organizations (a teacher working
    in two municipalities counts in each, once in the total) by education, category, courses, and the children of
    the band in its organizations — two grouped queries and two for the total. ``children=False`` leaves the
    children uncounted (0, and no children per teacher): the regional table does not show them, and counting them
    is a pass over every enrollment."""
    employments = Employment.objects.filter(_active_on(f.on), _org_territory_q(f.territory, "organization"))
    if f.organization_type is not None:
        employments = employments.filter(organization__org_type=f.organization_type)
    if f.direction_id is not None:
        employments = employments.filter(
            teacher__in=Teacher.objects.filter(groups__programme__direction_id=f.direction_id))
    since = years_before(f.on, 3)
    course = Exists(Course.objects.filter(teacher_id=OuterRef("teacher_id"), completed_on__gt=since,
                                          completed_on__lte=f.on))
    teachers = {"n": Count("teacher_id", distinct=True),
                "courses": Count("teacher_id", distinct=True, filter=Q(course))}
    attributes = ("teacher__education_level", "teacher__category", "teacher__is_external_specialist")
    pupils_qs = _pupils(f)

    def staff(rows: Iterable[dict], pupils: int) -> Staffing:
        education: Counter[str] = Counter()
        category: Counter[str] = Counter()
        total = with_courses = external = 0
        for row in rows:
            education[row["teacher__education_level"]] += row["n"]
            category[row["teacher__category"]] += row["n"]
            total += row["n"]
            with_courses += row["courses"]
            external += row["n"] if row["teacher__is_external_specialist"] else 0
        return _staffing_of(total=total, education=education, category=category, with_courses=with_courses,
                            external=external, children=pupils, per_teacher=children)

    column = "organization__municipality_id"
    per_municipality: dict[int, list[dict]] = defaultdict(list)
    for row in employments.order_by().values(column, *attributes).annotate(**teachers):
        per_municipality[row[column]].append(row)
    pupils: dict[int, int] = {}
    if children:
        pupils = dict(pupils_qs.order_by().values_list("group__programme__organization__municipality_id").annotate(
            n=Count("child_id", distinct=True)))
    rows = {m.pk: staff(per_municipality[m.pk], pupils.get(m.pk, 0)) for m in _municipalities_of(f.territory)}
    total = staff(employments.order_by().values(*attributes).annotate(**teachers),
                  pupils_qs.values("child_id").distinct().count() if children else 0)
    return ByMunicipality(rows=rows, total=total)


__all__ += [
    "ByMunicipality", "application_timeliness_by_municipality", "card_completeness_by_municipality",
    "coverage_by_municipality", "group_fill_by_municipality", "organizations_licensed",
    "organizations_licensed_by_municipality", "programme_flag_counts_by_municipality", "staffing_by_municipality",
]


# ------------------------------------------------------------------------------------------ one organization


@dataclass(frozen=True)
class DirectionActivity:
    label: str
    programmes: int
    groups: int
    children: int


@dataclass(frozen=True)
class OrganizationActivity:
    """One organization's clubs and pupils on a day, and its graduates in a period (seed 000's first paragraph)."""

    directions: list[DirectionActivity]
    programmes: int
    groups: int
    children: int  # distinct children with an enrollment active on the day
    age_min: int | None
    age_max: int | None
    by_age: list[tuple[str, int]]  # (band label, distinct children)
    graduates: int  # enrollments completed in the period


ACTIVITY_AGE_BANDS = ((0, 7, "0–6"), (7, 11, "7–10"), (11, 15, "11–14"), (15, 19, "15–18"))


def organization_activity(*, organization: Organization, on: dt.date, start: dt.date,
                          end: dt.date) -> OrganizationActivity:
    """Programmes (not archived), groups and unmerged children of one organization on ``on`` by direction, the
    children's ages, and the enrollments completed in [start, end] (graduates)."""
    active = Enrollment.objects.filter(
        _active_on(on), group__programme__organization=organization, child__merged_into__isnull=True)
    groups = Group.objects.filter(programme__organization=organization, is_active=True, period_start__lte=on,
                                  period_end__gte=on)
    programmes = Programme.objects.filter(organization=organization).exclude(status=Programme.Status.ARCHIVED)
    by_direction: dict[int, dict[str, int]] = {}
    for row in programmes.values("direction").annotate(n=Count("pk")).order_by():
        by_direction.setdefault(row["direction"], {})["programmes"] = row["n"]
    for row in groups.values("programme__direction").annotate(n=Count("pk")).order_by():
        by_direction.setdefault(row["programme__direction"], {})["groups"] = row["n"]
    for row in active.values("group__programme__direction").annotate(n=Count("child", distinct=True)).order_by():
        by_direction.setdefault(row["group__programme__direction"], {})["children"] = row["n"]
    directions = Direction.objects.in_bulk(list(by_direction))
    rows = [DirectionActivity(label=str(directions[pk]), programmes=v.get("programmes", 0), groups=v.get("groups", 0),
                              children=v.get("children", 0))
            for pk, v in sorted(by_direction.items(), key=lambda item: (directions[item[0]].order, item[0]))]
    ages = {child: age_on(born, on) for child, born in active.values_list("child_id", "child__birth_date").distinct()}
    by_age = [(label, sum(1 for age in ages.values() if low <= age < high)) for low, high, label in ACTIVITY_AGE_BANDS]
    graduates = Enrollment.objects.filter(group__programme__organization=organization,
                                          status=EnrollmentStatus.COMPLETED, end_date__gte=start,
                                          end_date__lte=end).count()
    return OrganizationActivity(directions=rows, programmes=programmes.count(), groups=groups.count(),
                                children=len(ages), age_min=min(ages.values(), default=None),
                                age_max=max(ages.values(), default=None), by_age=by_age, graduates=graduates)


__all__ += ["DirectionActivity", "OrganizationActivity", "organization_activity"]
