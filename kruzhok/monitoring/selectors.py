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
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kruzhok.accounts.scoping import user_scope
from kruzhok.catalog.models import Course, Direction, Group, Organization, Programme, ScheduleSlot, Teacher
from kruzhok.enrollment.models import Application, ApplicationStatus, Enrollment
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


def _population(f: MonitoringFilter, counted_municipalities: Iterable[int]) -> tuple[dict[int, dict[int, int]],
                                                                                      list[Municipality]]:
    """Population of the band per municipality and age for ``f.on.year``; and the municipalities missing it."""
    rows = Population.objects.filter(year=f.on.year, age__gte=f.age_from, age__lt=f.age_to)
    rows = rows.filter(_child_territory_q(f.territory, ""))
    by_municipality: dict[int, dict[int, int]] = defaultdict(dict)
    for municipality_id, age, count in rows.values_list("municipality_id", "age", "count"):
        by_municipality[municipality_id][age] = count
    missing_ids = set(counted_municipalities) - set(by_municipality)
    missing = list(Municipality.objects.filter(pk__in=missing_ids).order_by("name")) if missing_ids else []
    return by_municipality, missing


def _coverage(f: MonitoringFilter, *, children: int, enrollments: int, municipality_ids: Iterable[int],
              source: str, computed_at: dt.datetime | None) -> Coverage:
    population, missing = _population(f, municipality_ids)
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
    found = _cells(f) if source == AGGREGATES else None
    if found is not None:
        cells, computed_at = found
        totals, at = _totals_from_cells(_slice(cells, f))
        return _coverage(f, children=totals[1], enrollments=totals[0], municipality_ids=totals[2],
                         source=AGGREGATES, computed_at=at or computed_at)
    totals = _totals_live(f)
    return _coverage(f, children=totals[1], enrollments=totals[0], municipality_ids=totals[2], source=LIVE,
                     computed_at=None)


Totals = tuple[int, int, list[int]]  # enrollments, children, municipalities with counted children


def _totals_live(f: MonitoringFilter) -> Totals:
    """Per municipality of residence (a child has one), so the unique children add up exactly."""
    rows = list(_counted_enrollments(f).values_list("child__municipality_id").annotate(
        e=Count("id"), c=Count("child_id", distinct=True)).order_by())
    return sum(r[1] for r in rows), sum(r[2] for r in rows), [r[0] for r in rows]


def _totals_from_cells(cells: QuerySet) -> tuple[Totals, dt.datetime | None]:
    rows = list(cells.values_list("municipality_id").annotate(
        e=Sum("enrollments"), c=Sum("children"), at=Min("computed_at")).order_by())
    at = min((r[3] for r in rows), default=None)
    return (sum(r[1] for r in rows), sum(r[2] for r in rows), [r[0] for r in rows if r[2]]), at


def coverage_breakdown(*, f: MonitoringFilter, by: str, source: str = LIVE) -> Breakdown:
    """Enrollments and unique children by ``by`` (one of :data:`BREAKDOWNS`), with their shares of the totals.

    For child attributes (municipality, settlement kind, sex, age) every child is in one row, so the children
    add up to the total. For direction, organization type and category a child counts once in each row they
    belong to (a child in two artistic groups counts once for «художественная»), so ``children_share`` may
    add up past 100 % while ``enrollment_share`` adds up to 100 %. ``population`` and ``percent`` (coverage
    of the row) are given for ``municipality`` and ``age``.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    found = _cells(f) if source == AGGREGATES else None
    if found is not None:
        counts, totals, at = _breakdown_from_cells(found[0], f, by)
        computed_at = at or found[1]
    else:
        counts, totals = _breakdown_live(f, by)
        computed_at = timezone.now()
    rows = _breakdown_rows(f, by, counts, totals)
    return Breakdown(by=by, rows=rows, total_enrollments=totals[0], total_children=totals[1],
                     source=AGGREGATES if found is not None else LIVE, computed_at=computed_at)


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
                    totals: Totals) -> list[BreakdownRow]:
    labels, order = _labels(by, counts)
    population: dict[str, int] = {}
    complete = True
    if by in ("municipality", "age"):
        per_municipality, missing = _population(
            f, [int(k) for k in counts] if by == "municipality" else [])
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
    cover = coverage_summary(f=f, source=AGGREGATES) if source == AGGREGATES else None
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
    points = []
    for back in range(years - 1, -1, -1):
        cover = coverage_summary(f=replace(f, on=years_before(f.on, back)), source=source)
        points.append(TrendPoint(on=years_before(f.on, back), children=cover.children, population=cover.population,
                                 percent=cover.percent, source=cover.source, computed_at=cover.computed_at))
    return points


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
    band = Case(*[When(child__birth_date__gt=years_before(f.on, b), child__birth_date__lte=years_before(f.on, a),
                       then=Value(_band_label((a, b)))) for a, b in bands], default=Value(""))
    rows = _counted_enrollments(f).annotate(band=band).exclude(band="").values_list(
        "child__municipality_id", "group__programme__direction_id", "group__programme__organization__org_type",
        "band").annotate(c=Count("child_id", distinct=True), e=Count("id")).order_by()
    return Cube(rows=[CubeRow(m, d, o, b, c, e) for m, d, o, b, c, e in rows], source=LIVE,
                computed_at=timezone.now())


# ------------------------------------------------------------------------------------------ from aggregates


def _cells(f: MonitoringFilter) -> tuple[QuerySet, dt.datetime] | None:
    """The aggregate cells of ``f``'s date, band and territory with the snapshot's time, or None when there is
    no snapshot for the date."""
    from kruzhok.monitoring.models import CoverageAggregate, CoverageSnapshot

    snapshot = CoverageSnapshot.objects.filter(on=f.on).values_list("pk", "computed_at").first()
    if snapshot is None:
        return None
    if isinstance(f.territory, Region):
        territory = Q(municipality_id__in=Municipality.objects.filter(region_id=f.territory.pk).values("pk"))
    else:
        territory = _child_territory_q(f.territory, "")
    cells = CoverageAggregate.objects.filter(territory, snapshot_id=snapshot[0], age__gte=f.age_from,
                                             age__lt=f.age_to)
    return cells, snapshot[1]


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


def _breakdown_from_cells(cells: QuerySet, f: MonitoringFilter, by: str
                          ) -> tuple[dict[str, tuple[int, int]], Totals, dt.datetime | None]:
    totals, at = _totals_from_cells(_slice(cells, f))
    counts: dict[str, tuple[int, int]] = {}
    for value, enrollments, children in _slice(cells, f, by).values_list(CELL_COLUMNS[by]).annotate(
            e=Sum("enrollments"), c=Sum("children")).order_by():
        counts[_key(by, value)] = (enrollments, children)
    return counts, totals, at


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


def group_fill(*, f: MonitoringFilter, under_threshold: float = 0.5) -> GroupFill:
    """Seats taken on ``f.on``: groups under-filled (below ``under_threshold`` of capacity), full, over capacity.

    Over capacity cannot happen through the application (the database refuses it), so any such group is a
    data-integrity alarm.
    """
    rows = list(fill_groups(f=f, under_threshold=under_threshold).values_list(
        "id", "name", "programme__title", "programme__organization_id", "programme__organization__short_name",
        "capacity", "active_enrollments"))  # type: ignore[misc]  # annotated by fill_groups
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
    """
    now = now or timezone.now()
    rows = list(_applications(f, start, end).values_list("submitted_at", "decided_at", "answer_due_at"))
    in_time = late = pending = overdue = without = 0
    hours: list[float] = []
    for submitted_at, decided_at, due in rows:
        if decided_at is not None:
            hours.append((decided_at - submitted_at).total_seconds() / 3600)
            if due is None:
                without += 1
            elif decided_at <= due:
                in_time += 1
            else:
                late += 1
        elif due is not None and due < now:
            overdue += 1
        else:
            pending += 1
    overdue_rows = [
        OverdueRow(application_id=a.pk, child=str(a.child), group=a.group.name,
                   organization=a.group.programme.organization.short_name, submitted_at=a.submitted_at,
                   answer_due_at=a.answer_due_at or now, days_overdue=(now - (a.answer_due_at or now)).days)
        for a in timeliness_applications(f=f, start=start, end=end, state="overdue", now=now)[:MAX_LISTED]]
    return Timeliness(total=len(rows), answered=in_time + late + without, answered_in_time=in_time,
                      answered_late=late, pending=pending, overdue=overdue, without_deadline=without,
                      share_in_time=percent(in_time, in_time + late + overdue),
                      median_hours=statistics.median(hours) if hours else None, overdue_list=overdue_rows)


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
    enrolled = dict(Enrollment.objects.filter(_active_on(f.on), group__in=groups).values_list("group_id")
                    .annotate(n=Count("id")).order_by())
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


def staffing(*, f: MonitoringFilter) -> Staffing:
    """Teachers by education level and qualification category, courses in the last three years, children per
    teacher (unique children of the band enrolled on ``f.on`` in the territory's organizations)."""
    teachers = list(staffing_teachers(f=f).values_list("id", "education_level", "category",
                                                        "is_external_specialist"))
    total = len(teachers)
    education = Counter(t[1] for t in teachers)
    category = Counter(t[2] for t in teachers)
    since = years_before(f.on, 3)
    with_courses = Course.objects.filter(teacher_id__in=[t[0] for t in teachers], completed_on__gt=since,
                                         completed_on__lte=f.on).values("teacher_id").distinct().count()
    children_qs = Enrollment.objects.filter(
        _active_on(f.on), _org_territory_q(f.territory, "group__programme__organization"),
        child__merged_into__isnull=True, child__birth_date__gt=f.born_after, child__birth_date__lte=f.born_by)
    if f.direction_id is not None:
        children_qs = children_qs.filter(group__programme__direction_id=f.direction_id)
    if f.organization_type is not None:
        children_qs = children_qs.filter(group__programme__organization__org_type=f.organization_type)
    children = children_qs.values("child_id").distinct().count()
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
        courses_share=percent(with_courses, total), external=sum(1 for t in teachers if t[3]),
        children=children, children_per_teacher=children / total if total else None)


__all__ = [
    "AGGREGATES", "BREAKDOWNS", "BREAKDOWN_LABELS", "CARD_DEFECTS", "LIVE", "PROGRAMME_FLAGS", "Breakdown",
    "BreakdownRow", "CardCompleteness", "CardScore", "ClubsPerChild", "Coverage", "FlagCounts", "FlagRow",
    "GroupFill", "GroupFillRow", "MonitoringFilter", "OrgDefects", "OverdueRow", "ShareRow", "Staffing",
    "Timeliness", "TrendPoint", "application_timeliness", "card_completeness", "card_programmes",
    "clubs_per_child", "coverage_breakdown", "coverage_children", "coverage_enrollments", "coverage_summary",
    "coverage_trend", "fill_groups", "flag_programmes", "group_fill", "monitoring_access", "monitoring_territories",
    "programme_flag_counts", "staffing", "staffing_teachers", "timeliness_applications",
]
