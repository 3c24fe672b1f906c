"""What the public navigator reads: catalog search with filters, a programme's card, an organization's page.

Public data only — published programmes of active organizations, their active groups, venues, schedules,
teachers' names and seat counts — never a child's data. The pages and the JSON API call these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from math import ceil

from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact
from django.utils import timezone, translation

from kruzhok.catalog.models import Direction, Group, Organization, Programme, ScheduleSlot, Venue
from kruzhok.catalog.search import programme_search, search_transaction, search_words
from kruzhok.people.models import age_on
from kruzhok.territory.models import Municipality, Region, Settlement

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_COUNTED = 1000  # filters without query text: count this far, then say "more than"


def localized(obj: object, field_name: str, language: str | None = None) -> str:
    """``title`` / ``description`` in the active language where the organization gave one, else Russian."""
    language = (language or translation.get_language() or "ru")[:2]
    if language in ("kk", "en"):
        value = getattr(obj, f"{field_name}_{language}", "")
        if value:
            return value
    return getattr(obj, field_name)


def public_programmes() -> QuerySet[Programme]:
    """Published programmes of active organizations: all the public may see."""
    return Programme.objects.filter(status=Programme.Status.PUBLISHED, organization__is_active=True)


def group_open_now(group: Group, now: dt.datetime) -> bool:
    """Whether the group takes applications at ``now`` (an empty end of the window means no limit)."""
    return (group.is_active and (group.enrollment_opens_at is None or group.enrollment_opens_at <= now)
            and (group.enrollment_closes_at is None or now < group.enrollment_closes_at))


@dataclass(frozen=True)
class CatalogFilters:
    """The catalog's filters; every one optional, all combined (AND).

    Group-level filters (age, settlement, municipality, weekdays and times, seats, open window) keep a
    programme when at least one of its active groups passes them all, and those groups are the ones listed.
    """

    q: str = ""
    direction_id: int | None = None
    direction_code: str | None = None  # the same, by code (``technical``), as the API takes it
    age: int | None = None
    birth_date: dt.date | None = None  # when no age is given: the child's age today
    municipality_id: int | None = None  # the organization's, or a group's venue's
    settlement_id: int | None = None  # a group's venue's
    organization_id: int | None = None
    level: str | None = None
    funding: str | None = None
    form: str | None = None
    adapted_ovz: bool | None = None
    weekdays: tuple[int, ...] = ()  # 1 — Monday … 7 — Sunday: a class on one of them
    time_from: dt.time | None = None  # a class starting no earlier
    time_to: dt.time | None = None  # and ending no later
    seats_available: bool = False  # capacity − enrolled − held by invitations > 0 now
    enrollment_open: bool = False  # the enrollment window contains now

    def child_age(self, today: dt.date) -> int | None:
        if self.age is not None:
            return self.age
        return age_on(self.birth_date, today) if self.birth_date else None

    @property
    def is_empty(self) -> bool:
        return self == CatalogFilters()


@dataclass
class ProgrammeHit:
    programme: Programme  # with organization (and its municipality) and direction loaded
    groups: list[Group]  # the active groups passing the filters, with venue, settlement and schedule loaded
    title: str  # in the active language
    rank: float | None = None  # None when there was no query text


@dataclass
class CatalogPage:
    items: list[ProgrammeHit]
    total: int
    page: int
    per_page: int
    words: list[str] = field(default_factory=list)  # the folded words that were searched for
    total_is_more: bool = False  # more programmes match than ``total`` (counting stopped at MAX_COUNTED)

    @property
    def num_pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def catalog_search(*, filters: CatalogFilters, page: int = 1, per_page: int = PER_PAGE,
                   now: dt.datetime | None = None) -> CatalogPage:
    """One page of published programmes matching ``filters``, each with its matching groups.

    With query text the best matches come first (see :mod:`kruzhok.catalog.search`) and ``total`` is exact;
    without it, by title, and ``total`` is counted up to :data:`MAX_COUNTED` (``total_is_more`` says there
    are more: a broad filter need not count the whole catalog). A page past the last gives the last page.
    A constant number of queries whatever the page holds.
    """
    now = now or timezone.now()
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    candidates = _programmes_filtered(filters, now)
    listed = _group_q(filters, now, own_municipality=_of_group)
    words = search_words(filters.q)
    ranks: dict[int, float] = {}
    more = False
    with search_transaction():
        if words:
            conditions = _index_conditions(filters, now)
            hits = programme_search(words=words, candidates=candidates, conditions=conditions,
                                    offset=(page - 1) * per_page, limit=per_page)
            total = hits.total
            if not hits.ids and total and page > 1:
                page = ceil(total / per_page)
                hits = programme_search(words=words, candidates=candidates, conditions=conditions,
                                        offset=(page - 1) * per_page, limit=per_page)
            ids, ranks = hits.ids, hits.ranks
            programmes = _with_groups(Programme.objects.filter(pk__in=ids), listed).in_bulk(ids)
            ordered = [programmes[pk] for pk in ids if pk in programmes]
        else:
            # One pass gives the count and the page: the first ids by title, as far as counting goes.
            ids = list(candidates.order_by("title", "id").values_list("pk", flat=True)[:MAX_COUNTED + 1])
            more, ids = len(ids) > MAX_COUNTED, ids[:MAX_COUNTED]
            total = len(ids)
            page = min(page, max(1, ceil(total / per_page)))
            ids = ids[(page - 1) * per_page:page * per_page]
            programmes = _with_groups(Programme.objects.filter(pk__in=ids), listed).in_bulk(ids) if ids else {}
            ordered = [programmes[pk] for pk in ids if pk in programmes]
    items = [ProgrammeHit(programme=p, groups=_window_marked(p.matching_groups, now),  # type: ignore[attr-defined]
                          title=localized(p, "title"), rank=ranks.get(p.pk)) for p in ordered]
    return CatalogPage(items=items, total=total, page=page, per_page=per_page, words=words, total_is_more=more)


def _programmes_filtered(f: CatalogFilters, now: dt.datetime) -> QuerySet[Programme]:
    qs = public_programmes()
    exact = {"direction_id": f.direction_id, "direction__code": f.direction_code,
             "organization_id": f.organization_id, "level": f.level, "funding": f.funding, "form": f.form,
             "adapted_ovz": f.adapted_ovz}
    qs = qs.filter(**{key: value for key, value in exact.items() if value is not None})
    age = f.child_age(timezone.localdate(now))
    if age is not None:
        qs = qs.filter(age_from__lte=age, age_to__gte=age)
    if f.municipality_id is not None and connection.vendor == "postgresql":  # a quick first cut (GIN index)
        qs = qs.filter(pk__in=RawSQL("SELECT programme_id FROM catalog_programme_search"
                                     " WHERE municipality_ids @> ARRAY[%s]::bigint[]", [f.municipality_id]))
    if f.municipality_id is not None and connection.vendor == "postgresql":
        # The GIN cut above leaves the programmes with a group in the municipality, a few thousand at most: probe
        # each one's groups (OFFSET 0 keeps PostgreSQL from hashing every group of the catalog for the join).
        group_q = _group_q(f, now, own_municipality=lambda pk: Q(RawSQL(
            '"catalog_organization"."municipality_id" = %s', [pk], BooleanField())))
        groups = Group.objects.filter(group_q, RawSQL('"catalog_group"."programme_id" = "catalog_programme"."id"', [],
                                                      BooleanField()), is_active=True).order_by().values("pk")
        sql, params = groups.query.sql_with_params()
        return qs.filter(organization__is_active=True).filter(
            RawSQL(f"EXISTS ({sql} OFFSET 0)", list(params), BooleanField()))
    group_q = _group_q(f, now, own_municipality=_in_programme_query)
    if group_q is not None:
        qs = qs.filter(Exists(Group.objects.filter(group_q, programme=OuterRef("pk"), is_active=True)))
    return qs


def _index_conditions(f: CatalogFilters, now: dt.datetime) -> list[tuple[str, list]]:
    """The filters as SQL on the search index's row ``s`` (PostgreSQL), meaning what ``_programmes_filtered`` does."""
    conditions: list[tuple[str, list]] = [("s.is_public", [])]
    facts = {"direction_id": f.direction_id, "organization_id": f.organization_id, "level": f.level,
             "funding": f.funding, "form": f.form, "adapted_ovz": f.adapted_ovz}
    conditions += [(f"s.{column} = %s", [value]) for column, value in facts.items() if value is not None]
    if f.direction_code is not None:
        conditions.append(("s.direction_id IN (SELECT id FROM catalog_direction WHERE code = %s)", [f.direction_code]))
    age = f.child_age(timezone.localdate(now))
    if age is not None:
        conditions.append(("s.age_from <= %s AND s.age_to >= %s", [age, age]))
    if f.municipality_id is not None:  # a quick first cut (GIN index); the groups' check below decides
        conditions.append(("s.municipality_ids @> ARRAY[%s]::bigint[]", [f.municipality_id]))
    group_q = _group_q(f, now, own_municipality=lambda pk: Q(RawSQL("s.municipality_id = %s", [pk], BooleanField())))
    if group_q is not None:
        groups = Group.objects.filter(group_q, RawSQL('"catalog_group"."programme_id" = s.programme_id', [],
                                                      BooleanField()), is_active=True).order_by().values("pk")
        sql, params = groups.query.sql_with_params()
        # OFFSET 0 keeps PostgreSQL from turning the EXISTS into a join over every group: it looks at the
        # groups of each text match only (an index probe each), however broad the group filter.
        conditions.append((f"EXISTS ({sql} OFFSET 0)", list(params)))
    return conditions


def _group_q(f: CatalogFilters, now: dt.datetime, *, own_municipality: Callable[[int], Q]) -> Q | None:
    """The conditions on a group, or None when no filter concerns groups (then every active group is listed).

    ``own_municipality(pk)``: the condition "the group's programme is run by an organization of municipality
    ``pk``", as the query around the group's says it.
    """
    conditions = []
    age = f.child_age(timezone.localdate(now))
    if age is not None:
        conditions.append(Q(age_from__lte=age, age_to__gte=age))
    if f.settlement_id is not None:
        conditions.append(Q(venue__settlement_id=f.settlement_id))
    if f.municipality_id is not None:
        # At a venue in the municipality, or — with no venue (remote) — run by an organization of it.
        venues = Venue.objects.filter(settlement__municipality_id=f.municipality_id).values("pk")
        conditions.append(Q(venue_id__in=venues) | (Q(venue__isnull=True) & own_municipality(f.municipality_id)))
    if f.weekdays or f.time_from or f.time_to:
        slots = ScheduleSlot.objects.filter(group=OuterRef("pk"))
        if f.weekdays:
            slots = slots.filter(weekday__in=f.weekdays)
        if f.time_from:
            slots = slots.filter(starts_at__gte=f.time_from)
        if f.time_to:
            slots = slots.filter(ends_at__lte=f.time_to)
        conditions.append(Q(Exists(slots)))
    if f.seats_available:
        conditions.append(Q(capacity__gt=F("enrolled_count") + F("held_count")))
    if f.enrollment_open:
        conditions.append((Q(enrollment_opens_at__isnull=True) | Q(enrollment_opens_at__lte=now))
                          & (Q(enrollment_closes_at__isnull=True) | Q(enrollment_closes_at__gt=now)))
    if not conditions:
        return None
    combined = Q()
    for condition in conditions:
        combined &= condition
    return combined


def _in_programme_query(pk: int) -> Q:
    return Q(Exact(OuterRef("organization__municipality_id"), pk))


def _of_group(pk: int) -> Q:
    return Q(programme__organization__municipality_id=pk)


def _window_marked(groups: list[Group], now: dt.datetime) -> list[Group]:
    """Set ``open_now`` and ``opens_later`` on each group, for the pages' "how to apply"."""
    for group in groups:
        group.open_now = group_open_now(group, now)  # type: ignore[attr-defined]
        group.opens_later = bool(group.enrollment_opens_at and now < group.enrollment_opens_at)  # type: ignore[attr-defined]
    return groups


def _groups(group_q: Q | None = None) -> QuerySet[Group]:
    qs = Group.objects.filter(is_active=True)
    if group_q is not None:
        qs = qs.filter(group_q)
    return qs.select_related("venue__settlement").prefetch_related(
        Prefetch("schedule", queryset=ScheduleSlot.objects.select_related("venue").order_by("weekday", "starts_at"))
    ).order_by("name", "id")


def _with_groups(qs: QuerySet[Programme], group_q: Q | None) -> QuerySet[Programme]:
    """For a list: organization, municipality, direction and the groups (descriptions stay in the database)."""
    return qs.defer("description", "description_kk", "description_en").select_related(
        "organization__municipality", "direction").prefetch_related(
        Prefetch("groups", queryset=_groups(group_q), to_attr="matching_groups"))


# --- the programme's card and the organization's page -----------------------------------------------------


@dataclass
class ProgrammeCard:
    programme: Programme  # with organization (and municipality) and direction loaded
    title: str  # in the active language, falling back to Russian
    description: str
    groups: list[Group]  # active: venue, settlement, schedule (with venues), teachers; ``open_now``, ``opens_later``

    @property
    def certificate_total(self) -> Decimal | None:
        """The certificate's price of the whole programme: the hour's cost × hours."""
        cost = self.programme.certificate_hour_cost
        return cost * self.programme.hours if cost is not None else None


def programme_detail(*, programme_id: int, now: dt.datetime | None = None) -> ProgrammeCard | None:
    """A published programme's card with its active groups; None when there is no such public programme."""
    programme = (public_programmes().select_related("organization__municipality", "direction")
                 .prefetch_related(Prefetch("groups", queryset=_groups().prefetch_related("teachers"),
                                            to_attr="matching_groups"))
                 .filter(pk=programme_id).first())
    if programme is None:
        return None
    return ProgrammeCard(programme=programme, title=localized(programme, "title"),
                         description=localized(programme, "description"),
                         groups=_window_marked(programme.matching_groups, now or timezone.now()))


@dataclass
class OrganizationPage:
    organization: Organization  # with municipality loaded
    programmes: Sequence[Programme]  # published, by title: direction, ``active_group_count``, ``localized_title``
    venues: list  # the organization's venues with their settlements


def organization_detail(*, organization_id: int) -> OrganizationPage | None:
    """An active organization with its published programmes; None when there is no such organization."""
    organization = (Organization.objects.filter(pk=organization_id, is_active=True).select_related("municipality")
                    .prefetch_related("venues__settlement").first())
    if organization is None:
        return None
    programmes = list(public_programmes().filter(organization=organization).select_related("direction")
                      .annotate(active_group_count=Count("groups", filter=Q(groups__is_active=True)))
                      .order_by("title", "id"))
    for programme in programmes:
        programme.localized_title = localized(programme, "title")  # type: ignore[attr-defined]
    return OrganizationPage(organization=organization, programmes=programmes,
                            venues=list(organization.venues.all()))


# --- choices for the search form ------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """(id, label) pairs for the search form, labels in the active language."""

    directions: list[tuple[int, str]]  # of the countries whose regions the system holds, dictionary order
    municipalities: list[tuple[int, str]]  # with an active organization
    settlements: list[tuple[int, str]]  # with a venue, of the municipality chosen; "settlement (municipality)"


def catalog_filter_choices(*, municipality_id: int | None = None, settlement_id: int | None = None) -> FilterChoices:
    """The form's lists in three small queries (plain values: no model instances).

    Settlements are listed for the municipality chosen (a region has hundreds): the one given as
    ``settlement_id`` only, when no municipality is chosen; none when neither is.
    """
    language = (translation.get_language() or "ru")[:2]

    def name(names: tuple[str, str, str]) -> str:
        return {"kk": names[1], "en": names[2]}.get(language) or names[0]

    names = ("name", "name_kk", "name_en")
    directions = Direction.objects.filter(country__in=Region.objects.values("country")).order_by("country", "order")
    municipalities = Municipality.objects.filter(
        Exists(Organization.objects.filter(municipality=OuterRef("pk"), is_active=True))).order_by("name")
    places = Settlement.objects.none()
    if municipality_id is not None:
        places = Settlement.objects.filter(municipality_id=municipality_id)
    elif settlement_id is not None:
        places = Settlement.objects.filter(pk=settlement_id)
    places = places.filter(Exists(Venue.objects.filter(settlement=OuterRef("pk")))).order_by("name")
    settlements = [(pk, f"{name(row[:3])} ({name(row[3:])})") for pk, *row in places.values_list(
        "pk", *names, *(f"municipality__{n}" for n in names))]  # none chosen: no query at all
    return FilterChoices(
        directions=[(pk, name(row).capitalize()) for pk, *row in directions.values_list("pk", *names)],
        municipalities=[(pk, name(row)) for pk, *row in municipalities.values_list("pk", *names)],
        settlements=settlements,
    )
