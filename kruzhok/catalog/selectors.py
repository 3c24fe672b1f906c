"""What the public navigator reads: catalog search with filters, a programme's card, an organization's page.

Public data only — published programmes of active organizations, their active groups, venues, schedules,
teachers' names and seat counts — never a child's data. The pages and the JSON API call these functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from math import ceil

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.utils import timezone, translation

from kruzhok.catalog.models import Direction, Group, Organization, Programme, ScheduleSlot, Venue
from kruzhok.catalog.search import execute_first, programme_search, search_transaction, search_words
from kruzhok.people.models import age_on
from kruzhok.territory.models import Municipality, Region, Settlement

PER_PAGE = 20
MAX_PER_PAGE = 100
# Filters without query text: count this far, then say "more than" (and page no further). Ten pages: no parent
# reads more, a count in the hundreds tells nothing an exact one would, and a broad filter is not worth counting
# (a timetable filter checks each programme's groups: to 1 000, several times the work of the page).
MAX_COUNTED = 200


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
    groups: list[Group]  # the active groups passing the filters: venue and settlement loaded, ``slots`` (classes)
    title: str  # in the active language
    rank: float | None = None  # None when there was no query text


@dataclass
class CatalogPage:
    items: list[ProgrammeHit]
    total: int
    page: int
    per_page: int
    words: list[str] = field(default_factory=list)  # the folded words that were searched for
    total_is_more: bool = False  # more programmes match than ``total`` (counting stopped at the limit)

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
                   now: dt.datetime | None = None, count_limit: int | None = None) -> CatalogPage:
    """One page of published programmes matching ``filters``, each with its matching groups.

    With query text the best matches come first (see :mod:`kruzhok.catalog.search`) and ``total`` is exact;
    without it, by title, and ``total`` is counted up to ``count_limit`` (default :data:`MAX_COUNTED`;
    ``total_is_more`` says there are more: a broad filter need not count the whole catalog). A page past the
    last gives the last page.
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
        else:
            # One pass gives the count and the page: the first ids by title, as far as counting goes.
            limit = count_limit or MAX_COUNTED
            try:
                sql, params = candidates.order_by("title", "id").values_list("pk")[:limit + 1].query.sql_with_params()
            except EmptyResultSet:
                ids = []
            else:
                with connection.cursor() as cursor:
                    execute_first(cursor, sql, params)
                    ids = [row[0] for row in cursor.fetchall()]
            more, ids = len(ids) > limit, ids[:limit]
            total = len(ids)
            page = min(page, max(1, ceil(total / per_page)))
            ids = ids[(page - 1) * per_page:page * per_page]
        listed_groups = _programmes_with_groups(ids, listed)
    items = [ProgrammeHit(programme=p, groups=_window_marked(groups, now), title=localized(p, "title"),
                          rank=ranks.get(p.pk)) for p, groups in listed_groups]
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
    if f.municipality_id is not None and connection.vendor == "postgresql":
        # The programmes with an active group passing the filters at a venue of the municipality, or remote and
        # run by an organization of it: the groups found from the municipality's venues (an index each), a few
        # thousand at most, and the remote ones (few), then their programmes — rather than each programme of the
        # municipality probing its groups, twice the work.
        other = _group_q(dataclasses.replace(f, municipality_id=None), now, own_municipality=_of_group)
        groups = Group.objects.filter(is_active=True).order_by()
        if other is not None:
            groups = groups.filter(other)
        venues = Venue.objects.filter(settlement__municipality_id=f.municipality_id).values("pk")
        at_venues = groups.filter(venue_id__in=venues).values("programme_id").query.sql_with_params()
        remote = groups.filter(venue__isnull=True, programme__organization__municipality_id=f.municipality_id
                               ).values("programme_id").query.sql_with_params()
        return qs.filter(pk__in=RawSQL(f"{at_venues[0]} UNION ALL {remote[0]}", [*at_venues[1], *remote[1]]))
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


# What a list of programmes shows (the page and the API): the rest stays in the database, unparsed.
_NAMES = ("name", "name_kk", "name_en")
LISTED_PROGRAMME_FIELDS = (
    "title", "title_kk", "title_en", "level", "age_from", "age_to", "form", "funding", "price",
    "certificate_hour_cost", "adapted_ovz", "organization", "organization__short_name", "organization__municipality",
    *(f"organization__municipality__{name}" for name in _NAMES), "direction", "direction__code",
    *(f"direction__{name}" for name in _NAMES))
LISTED_GROUP_FIELDS = (
    "programme", "name", "capacity", "enrolled_count", "held_count", "age_from", "age_to", "period_start",
    "period_end", "is_active", "enrollment_opens_at", "enrollment_closes_at", "allocation", "lottery_window_ends_at",
    "venue", "venue__name", "venue__address", "venue__is_accessible", "venue__settlement",
    *(f"venue__settlement__{name}" for name in _NAMES))


def _groups(group_q: Q | None = None) -> QuerySet[Group]:
    qs = Group.objects.filter(is_active=True)
    if group_q is not None:
        qs = qs.filter(group_q)
    return qs.select_related("venue__settlement").order_by("name", "id")


def _slots(group_filter: Q) -> QuerySet[ScheduleSlot]:
    return (ScheduleSlot.objects.filter(group_filter).select_related("venue")
            .only("group", "weekday", "starts_at", "ends_at", "venue", "venue__name", "venue__address")
            .order_by("weekday", "starts_at", "id"))


def _slots_set(groups: list[Group], slots: list[ScheduleSlot]) -> list[Group]:
    by_group: dict[int, list[ScheduleSlot]] = {group.pk: [] for group in groups}
    for slot in slots:
        if slot.group_id in by_group:
            by_group[slot.group_id].append(slot)
    for group in groups:
        group.slots = by_group[group.pk]  # type: ignore[attr-defined]
    return groups


def groups_with_slots(groups: list[Group]) -> list[Group]:
    """Set ``slots`` on each group: its classes by weekday and time, venues loaded — one query for all.

    A plain list rather than ``prefetch_related("schedule")``, whose queryset per group costs more than its rows.
    """
    slots = list(_slots(Q(group_id__in=[group.pk for group in groups]))) if groups else []
    return _slots_set(groups, slots)


def _programmes_with_groups(ids: list[int], group_q: Q | None) -> list[tuple[Programme, list[Group]]]:
    """The programmes ``ids`` in this order, each with its active groups passing ``group_q``, for a list:
    organization, municipality and direction loaded, descriptions left in the database. Three queries
    (programmes, groups, classes) — on PostgreSQL sent in one round trip (:func:`_read_together`) —, joined
    here: no queryset per programme or per group. Only the fields a list shows are read
    (:data:`LISTED_PROGRAMME_FIELDS`, :data:`LISTED_GROUP_FIELDS`)."""
    if not ids:
        return []
    listed = _groups(group_q).filter(programme_id__in=ids)
    programme_list, group_list, slots = _read_together(
        Programme.objects.select_related("organization__municipality", "direction").only(*LISTED_PROGRAMME_FIELDS)
        .filter(pk__in=ids).order_by(),
        listed.only(*LISTED_GROUP_FIELDS),
        _slots(Q(group_id__in=listed.order_by().values("pk"))))
    programmes = {programme.pk: programme for programme in programme_list}
    groups: dict[int, list[Group]] = {pk: [] for pk in programmes}
    programme_field = Group._meta.get_field("programme")
    for group in _slots_set(group_list, slots):
        programme_field.set_cached_value(group, programmes[group.programme_id])
        groups[group.programme_id].append(group)
    return [(programmes[pk], groups[pk]) for pk in ids if pk in programmes]


def _read_together(*querysets: QuerySet) -> list[list]:
    """The instances of several querysets (``select_related`` and ``only`` kept), as a list each.

    On PostgreSQL their statements go in one round trip — Django's cursors bind parameters on the client, so
    several statements can be sent at once — and each result set becomes instances as Django's own
    ``ModelIterable`` makes them (the compiler's columns, ``from_db``, the related objects' populators). Under
    load every round trip waits for the processor twice; a page's list is three. Elsewhere: a query each.
    """
    if connection.vendor != "postgresql":
        return [list(qs) for qs in querysets]
    compilers = [qs.query.get_compiler(using=qs.db) for qs in querysets]
    statements = [compiler.as_sql() for compiler in compilers]
    results = []
    with connection.cursor() as cursor:
        cursor.execute("; ".join(sql for sql, _ in statements), [value for _, params in statements for value in params])
        for number, (queryset, compiler) in enumerate(zip(querysets, compilers, strict=True)):
            if number:
                cursor.nextset()
            rows = cursor.fetchall()
            if compiler.has_extra_select:
                rows = [row[:compiler.col_count] for row in rows]
            results.append(_instances(compiler, queryset.db, rows))
    return results


def _instances(compiler, db: str, rows: list) -> list:
    """Model instances of a compiled query's rows, as ``django.db.models.query.ModelIterable`` makes them."""
    select, klass_info = compiler.select, compiler.klass_info
    model, select_fields = klass_info["model"], klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, db)
    instances = []
    for row in compiler.results_iter([rows]):
        instance = model.from_db(db, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        instances.append(instance)
    return instances


# --- the programme's card and the organization's page -----------------------------------------------------


@dataclass
class ProgrammeCard:
    programme: Programme  # with organization (and municipality) and direction loaded
    title: str  # in the active language, falling back to Russian
    description: str
    groups: list[Group]  # active: venue, settlement, ``slots`` (with venues), teachers; ``open_now``, ``opens_later``

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
    groups = groups_with_slots(programme.matching_groups)  # type: ignore[attr-defined]
    return ProgrammeCard(programme=programme, title=localized(programme, "title"),
                         description=localized(programme, "description"),
                         groups=_window_marked(groups, now or timezone.now()))


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


CHOICES_TIMEOUT = 600  # seconds: the longest another server process may show a list after a change
_CHOICES_VERSION = "catalog:choices:version"


def catalog_filter_choices(*, municipality_id: int | None = None, settlement_id: int | None = None) -> FilterChoices:
    """The form's lists, from the cache: built once per language (and municipality) in three small queries.

    Settlements are listed for the municipality chosen (a region has hundreds): the one given as
    ``settlement_id`` only, when no municipality is chosen; none when neither is. A saved or deleted direction,
    region, municipality, settlement, organization or venue empties the cache (:func:`filter_choices_forget`,
    called by ``catalog.signals``); a process with its own cache (the default local-memory one) sees a change
    made by another within :data:`CHOICES_TIMEOUT`.
    """
    language = (translation.get_language() or "ru")[:2]
    version = cache.get(_CHOICES_VERSION)
    if version is None:
        version = filter_choices_forget()
    lists_key = f"catalog:choices:{version}:{language}"
    places_key = (f"catalog:settlements:{version}:{language}:{municipality_id}" if municipality_id is not None
                  else f"catalog:settlement:{version}:{language}:{settlement_id}" if settlement_id is not None
                  else None)
    cached = cache.get_many([lists_key, places_key] if places_key else [lists_key])
    lists = cached.get(lists_key)
    if lists is None:
        lists = _filter_lists(language)
        cache.set(lists_key, lists, CHOICES_TIMEOUT)
    settlements = cached.get(places_key, []) if places_key else []
    if places_key and places_key not in cached:
        settlements = _settlement_choices(language, municipality_id=municipality_id, settlement_id=settlement_id)
        cache.set(places_key, settlements, CHOICES_TIMEOUT)
    return FilterChoices(directions=lists[0], municipalities=lists[1], settlements=settlements)


def filter_choices_forget() -> str:
    """Make every cached list of the search form stale (a new version of their keys); the new version."""
    version = uuid.uuid4().hex[:12]
    cache.set(_CHOICES_VERSION, version, None)
    return version


def _name_of(language: str) -> Callable[[Sequence[str]], str]:
    def name(names: Sequence[str]) -> str:
        return {"kk": names[1], "en": names[2]}.get(language) or names[0]

    return name



def _filter_lists(language: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Directions of the countries whose regions the system holds; municipalities with an active organization."""
    name = _name_of(language)
    directions = Direction.objects.filter(country__in=Region.objects.values("country")).order_by("country", "order")
    municipalities = Municipality.objects.filter(
        Exists(Organization.objects.filter(municipality=OuterRef("pk"), is_active=True))).order_by("name")
    return ([(pk, name(row).capitalize()) for pk, *row in directions.values_list("pk", *_NAMES)],
            [(pk, name(row)) for pk, *row in municipalities.values_list("pk", *_NAMES)])


def _settlement_choices(language: str, *, municipality_id: int | None,
                        settlement_id: int | None) -> list[tuple[int, str]]:
    """Settlements with a venue: of the municipality, or the one settlement; "settlement (municipality)"."""
    name = _name_of(language)
    chosen = Q(municipality_id=municipality_id) if municipality_id is not None else Q(pk=settlement_id)
    places = Settlement.objects.filter(chosen, Exists(Venue.objects.filter(settlement=OuterRef("pk")))).order_by("name")
    return [(pk, f"{name(row[:3])} ({name(row[3:])})") for pk, *row in places.values_list(
        "pk", *_NAMES, *(f"municipality__{n}" for n in _NAMES))]
