"""The public catalog in JSON: search over programmes, a programme's card, a group's seats, schedule and window.

No login and no personal data: only published programmes of active organizations, their groups, venues and
teachers' names — what the public card shows. Reads go through ``catalog.selectors``, like the pages; the
query parameters are the page's (``/catalog/?q=…``), with ``direction`` as a code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from kruzhok.catalog.models import Group, Programme
from kruzhok.catalog.selectors import (
    MAX_PER_PAGE,
    PER_PAGE,
    CatalogFilters,
    catalog_search,
    group_open_now,
    groups_with_slots,
    localized,
    programme_detail,
    public_programmes,
)

router = Router(tags=["catalog"])
# Without query text the API counts further than the page (up to 1 000, as before): a client may page through
# all of a broad filter, a person would not.
API_COUNTED = 1000

# --- schemas --------------------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class CodeName(Schema):
    code: str
    name: str


class OrganizationRef(Schema):
    id: int
    short_name: str
    municipality: Ref


class OrganizationCard(OrganizationRef):
    name: str
    address: str
    phone: str
    email: str
    website: str


class ProgrammeItem(Schema):
    id: int
    title: str
    organization: OrganizationRef
    direction: CodeName
    level: CodeName
    age_from: int
    age_to: int
    form: CodeName
    funding: CodeName
    price: Decimal | None = Field(None, description="руб. в месяц, для платных программ")
    certificate_hour_cost: Decimal | None
    adapted_ovz: bool
    url: str


class Slot(Schema):
    weekday: int = Field(..., description="1 — понедельник … 7 — воскресенье")
    weekday_name: str
    # Local wall-clock time of the venue, "HH:MM" (no UTC offset: a lesson is at 15:00 wherever the clock is; JSON
    # Schema's "time" format would demand an offset).
    starts_at: str = Field(..., pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["15:00"],
                           description="начало занятия, ЧЧ:ММ по местному времени площадки")
    ends_at: str = Field(..., pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["16:30"],
                         description="конец занятия, ЧЧ:ММ по местному времени площадки")
    venue_address: str | None


class Window(Schema):
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    open_now: bool
    allocation: CodeName
    lottery_window_ends_at: dt.datetime | None


class VenueOut(Schema):
    name: str
    address: str
    settlement: Ref
    is_accessible: bool


class GroupBrief(Schema):
    id: int
    name: str
    capacity: int
    seats_left: int
    age_from: int
    age_to: int
    period_start: dt.date
    period_end: dt.date
    is_active: bool
    window: Window
    schedule: list[Slot]
    venue: VenueOut | None


class GroupSummary(GroupBrief):
    teachers: list[str]


class ProgrammeHitOut(ProgrammeItem):
    rank: float | None = Field(None, description="соответствие запросу, когда он задан")
    groups: list[GroupBrief] = Field(..., description="действующие группы, подходящие под фильтры")


class ProgrammePage(Schema):
    count: int
    page: int
    per_page: int
    num_pages: int
    words: list[str] = Field(..., description="слова запроса после нормализации")
    items: list[ProgrammeHitOut]


class ProgrammeCard(ProgrammeItem):
    description: str
    hours: int
    duration_months: int
    is_network: bool
    for_gifted: bool
    is_summer_shift: bool
    certificate_total: Decimal | None = Field(None, description="стоимость программы по сертификату")
    organization: OrganizationCard
    groups: list[GroupSummary]


class GroupCard(GroupSummary):
    programme: Ref
    organization: OrganizationRef


class CatalogQuery(Schema):
    """The catalog page's parameters (``/catalog/?q=…``); ``direction`` is a code here, e.g. ``technical``."""

    q: str = Field("", max_length=200, description="слова, можно с опечатками и в любой раскладке букв")
    direction: str | None = Field(None, description="код направленности, например technical")
    direction_id: int | None = None
    age: int | None = Field(None, ge=0, le=18, description="возраст ребёнка, полных лет")
    birth_date: dt.date | None = Field(None, description="или дата рождения ребёнка")
    municipality: int | None = None
    settlement: int | None = None
    organization: int | None = None
    level: Programme.Level | None = None
    funding: Programme.Funding | None = None
    form: Programme.Form | None = None
    adapted_ovz: bool | None = None
    weekdays: list[int] = Field(default_factory=list, description="дни недели занятий, 1–7")
    time_from: dt.time | None = Field(None, description="занятия начинаются не раньше")
    time_to: dt.time | None = Field(None, description="и заканчиваются не позже")
    seats: bool = Field(False, description="есть свободные места сейчас")
    open: bool = Field(False, description="приём заявок открыт сейчас")
    page: int = Field(1, ge=1)
    per_page: int = Field(PER_PAGE, ge=1, le=MAX_PER_PAGE)

    def filters(self) -> CatalogFilters:
        return CatalogFilters(
            q=self.q, direction_id=self.direction_id, direction_code=self.direction, age=self.age,
            birth_date=self.birth_date, municipality_id=self.municipality, settlement_id=self.settlement,
            organization_id=self.organization, level=self.level, funding=self.funding, form=self.form,
            adapted_ovz=self.adapted_ovz, weekdays=tuple(self.weekdays), time_from=self.time_from,
            time_to=self.time_to, seats_available=self.seats, enrollment_open=self.open)


# --- serializing ------------------------------------------------------------------------------------------


def _choice(obj, field: str) -> dict:
    return {"code": getattr(obj, field), "name": str(getattr(obj, f"get_{field}_display")())}


def _organization(org, *, card: bool = False) -> dict:
    data = {"id": org.pk, "short_name": org.short_name,
            "municipality": {"id": org.municipality_id, "name": org.municipality.localized_name()}}
    if card:
        data.update(name=org.name, address=org.address, phone=org.phone, email=org.email, website=org.website)
    return data


def _programme_item(p: Programme) -> dict:
    return {
        "id": p.pk, "title": localized(p, "title"), "organization": _organization(p.organization),
        "direction": {"code": p.direction.code, "name": p.direction.localized_name()},
        "level": _choice(p, "level"), "age_from": p.age_from, "age_to": p.age_to, "form": _choice(p, "form"),
        "funding": _choice(p, "funding"), "price": p.price, "certificate_hour_cost": p.certificate_hour_cost,
        "adapted_ovz": p.adapted_ovz, "url": f"/programmes/{p.pk}/",
    }


def _group(g: Group, now: dt.datetime, *, teachers: bool) -> dict:
    venue = g.venue
    data = {
        "id": g.pk, "name": g.name, "capacity": g.capacity, "seats_left": g.seats_left,
        "age_from": g.age_from, "age_to": g.age_to, "period_start": g.period_start, "period_end": g.period_end,
        "is_active": g.is_active,
        "window": {"opens_at": g.enrollment_opens_at, "closes_at": g.enrollment_closes_at,
                   "open_now": group_open_now(g, now), "allocation": _choice(g, "allocation"),
                   "lottery_window_ends_at": g.lottery_window_ends_at},
        "schedule": [{"weekday": s.weekday, "weekday_name": str(s.get_weekday_display()),
                      "starts_at": f"{s.starts_at:%H:%M}", "ends_at": f"{s.ends_at:%H:%M}",
                      "venue_address": (s.venue or venue).address if (s.venue or venue) else None}
                     for s in g.slots],  # type: ignore[attr-defined]  (set by the selectors)
        "venue": {"name": venue.name, "address": venue.address, "is_accessible": venue.is_accessible,
                  "settlement": {"id": venue.settlement_id, "name": venue.settlement.localized_name()}}
        if venue else None,
    }
    if teachers:
        data["teachers"] = [str(t) for t in g.teachers.all()]
    return data


# --- routes -----------------------------------------------------------------------------------------------


@router.get("/catalog/programmes", response=ProgrammePage, summary="Search the catalog")
def catalog_programmes(request, query: Query[CatalogQuery]):
    now = timezone.now()
    found = catalog_search(filters=query.filters(), page=query.page, per_page=query.per_page, now=now,
                           count_limit=API_COUNTED)
    return {"count": found.total, "page": found.page, "per_page": found.per_page, "num_pages": found.num_pages,
            "words": found.words,
            "items": [{**_programme_item(hit.programme), "title": hit.title, "rank": hit.rank,
                       "groups": [_group(g, now, teachers=False) for g in hit.groups]} for hit in found.items]}


@router.get("/programmes/{programme_id}", response=ProgrammeCard, summary="A programme's card")
def programme_card(request, programme_id: int):
    now = timezone.now()
    card = programme_detail(programme_id=programme_id, now=now)
    if card is None:
        raise Http404
    programme = card.programme
    return {
        **_programme_item(programme), "title": card.title, "description": card.description,
        "organization": _organization(programme.organization, card=True), "hours": programme.hours,
        "duration_months": programme.duration_months, "is_network": programme.is_network,
        "for_gifted": programme.for_gifted, "is_summer_shift": programme.is_summer_shift,
        "certificate_total": card.certificate_total,
        "groups": [_group(g, now, teachers=True) for g in card.groups],
    }


@router.get("/groups/{group_id}", response=GroupCard, summary="A group: seats left, schedule, enrollment window")
def group_card(request, group_id: int):
    group = get_object_or_404(
        Group.objects.select_related("programme__organization__municipality", "venue__settlement")
        .prefetch_related("teachers"), pk=group_id, programme__in=public_programmes())
    groups_with_slots([group])
    programme = group.programme
    return {**_group(group, timezone.now(), teachers=True),
            "programme": {"id": programme.pk, "name": localized(programme, "title")},
            "organization": _organization(programme.organization)}
