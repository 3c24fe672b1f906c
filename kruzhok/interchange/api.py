"""JSON API of the registries (mounted at ``/api/`` by ``config.api``): read and write.

``/api/registry/<registry>``:

* ``GET`` — a page of the rows the caller may see (``scope_queryset``), ``limit``/``offset``, with ``count``;
* ``GET …/{id}`` — one row (404 for a row outside the caller's scope: the API does not say it exists);
* ``POST`` — an *upsert* by the registry's natural key, exactly as one row of an import (same columns, same
  checks, same scope: :mod:`kruzhok.interchange.registries`). The answer says what happened (``created``,
  ``updated``, ``unchanged``) and the id; a refused row is 422 ``row_refused`` with ``details`` listing
  ``{column, message}``.

Authentication: a bearer token (``Authorization: Bearer kzh_…``) or the browser session with CSRF. Reads need the
token scope ``registries:read`` and writes ``registries:write`` once the tokens know them; until then the existing
``applications:read`` / ``applications:write`` scopes stand in (see ``READ_SCOPE``). National identifiers,
phones and certificate numbers of children are given only to roles that see personal ids (superusers, municipal and
regional admins); others get ``null``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from pydantic import create_model

from kruzhok.accounts.admin_scoping import sees_personal_ids
from kruzhok.accounts.api_auth import ApiError, ErrorOut, token_or_session
from kruzhok.accounts.models import ApiToken
from kruzhok.accounts.scoping import scope_queryset
from kruzhok.catalog.models import Employment, Group, Organization, Programme, Venue
from kruzhok.enrollment.models import Enrollment
from kruzhok.interchange.registries import CREATED, REFUSED, REGISTRIES, Context, Row
from kruzhok.people.models import Child

READ_SCOPE = getattr(ApiToken.Scope, "REGISTRIES_READ", ApiToken.Scope.APPLICATIONS_READ).value
WRITE_SCOPE = getattr(ApiToken.Scope, "REGISTRIES_WRITE", ApiToken.Scope.APPLICATIONS_WRITE).value

router = Router(tags=["registries"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_LIMIT = 500


class Paging(Schema):
    limit: int = 50
    offset: int = 0


# --- what is read ----------------------------------------------------------------------------------------------

class OrganizationOut(Schema):
    id: int
    tax_id: str | None
    municipality_id: int
    name: str
    short_name: str
    org_type: str
    subtype: str
    ownership: str
    address: str
    phone: str
    email: str
    website: str
    is_active: bool


class VenueOut(Schema):
    id: int
    organization_id: int
    name: str
    settlement_id: int
    address: str
    is_accessible: bool


class ProgrammeOut(Schema):
    id: int
    organization_id: int
    code: str
    title: str
    direction_id: int
    level: str
    age_from: int
    age_to: int
    hours: int
    duration_months: int
    form: str
    funding: str
    price: Decimal | None
    status: str


class SlotOut(Schema):
    weekday: int
    starts_at: str = Field(pattern=r"^\d{2}:\d{2}$", examples=["15:00"])  # JSON Schema's "time" wants an offset
    ends_at: str = Field(pattern=r"^\d{2}:\d{2}$", examples=["16:30"])


class GroupOut(Schema):
    id: int
    programme_id: int
    name: str
    capacity: int
    enrolled_count: int
    held_count: int
    age_from: int
    age_to: int
    period_start: dt.date
    period_end: dt.date
    venue_id: int | None
    is_active: bool
    schedule: list[SlotOut]


class TeacherOut(Schema):
    id: int
    teacher_id: int
    organization_id: int
    surname: str
    name: str
    patronymic: str
    education_level: str
    category: str
    position: str
    start_date: dt.date
    end_date: dt.date | None


class ChildOut(Schema):
    id: int
    surname: str
    name: str
    patronymic: str
    sex: str
    birth_date: dt.date
    municipality_id: int
    national_id_kind: str | None
    national_id: str | None
    phone: str | None
    certificate_number: str | None
    school_name: str
    grade: int | None


class EnrollmentOut(Schema):
    id: int
    child_id: int
    group_id: int
    status: str
    start_date: dt.date
    end_date: dt.date | None
    order_number: str
    funding_source: str


def _organization(o: Organization, user: Any) -> dict:
    return {f: getattr(o, f) for f in OrganizationOut.model_fields}


def _venue(v: Venue, user: Any) -> dict:
    return {f: getattr(v, f) for f in VenueOut.model_fields}


def _programme(p: Programme, user: Any) -> dict:
    return {f: getattr(p, f) for f in ProgrammeOut.model_fields}


def _group(g: Group, user: Any) -> dict:
    out = {f: getattr(g, f) for f in GroupOut.model_fields if f != "schedule"}
    out["schedule"] = [{"weekday": s.weekday, "starts_at": f"{s.starts_at:%H:%M}", "ends_at": f"{s.ends_at:%H:%M}"}
                       for s in g.schedule.all()]
    return out


def _teacher(e: Employment, user: Any) -> dict:
    t = e.teacher
    return {"id": e.pk, "teacher_id": t.pk, "organization_id": e.organization_id, "surname": t.surname,
            "name": t.name, "patronymic": t.patronymic, "education_level": t.education_level, "category": t.category,
            "position": e.position, "start_date": e.start_date, "end_date": e.end_date}


def _child(c: Child, user: Any) -> dict:
    out = {f: getattr(c, f) for f in ChildOut.model_fields}
    if not sees_personal_ids(user):
        out.update(national_id_kind=None, national_id=None, phone=None, certificate_number=None)
    return out


def _enrollment(e: Enrollment, user: Any) -> dict:
    return {f: getattr(e, f) for f in EnrollmentOut.model_fields}


READS: dict[str, tuple[Any, Any, Any]] = {
    "organizations": (OrganizationOut, lambda: Organization.objects.all(), _organization),
    "venues": (VenueOut, lambda: Venue.objects.all(), _venue),
    "programmes": (ProgrammeOut, lambda: Programme.objects.all(), _programme),
    "groups": (GroupOut, lambda: Group.objects.prefetch_related("schedule"), _group),
    "teachers": (TeacherOut, lambda: Employment.objects.select_related("teacher"), _teacher),
    "children": (ChildOut, lambda: Child.objects.unmerged(), _child),
    "enrollments": (EnrollmentOut, lambda: Enrollment.objects.all(), _enrollment),
}


# --- what is written: one row of the registry's import ------------------------------------------------------

_TYPES = {"str": str, "int": int, "decimal": Decimal, "date": dt.date, "datetime": dt.datetime, "time": dt.time,
          "bool": bool, "choice": str}


def _input_schema(key: str) -> type[Schema]:
    registry = REGISTRIES[key]
    fields: dict[str, Any] = {}
    for col in registry.columns:
        kind = _TYPES[col.kind]
        fields[col.key] = (kind, ...) if col.required else (kind | None, None)
    return create_model(f"{key.title()}RowIn", __base__=Schema, **fields)


class RowIssue(Schema):
    column: str | None
    message: str


class UpsertOut(Schema):
    outcome: Literal["created", "updated", "unchanged"]
    id: int | None


def _upsert(request, key: str, payload: Schema) -> Any:
    registry = REGISTRIES[key]
    values: dict[str, Any] = {}
    row = Row(number=1, values=values)
    for col in registry.columns:
        raw = getattr(payload, col.key, None)
        if raw is None and col.key not in payload.model_fields_set:
            continue
        if isinstance(raw, dt.datetime | dt.date | dt.time | Decimal | bool | int) and col.kind != "str":
            values[col.key] = raw
            continue
        try:
            values[col.key] = col.parse(raw)
        except ValueError as error:
            values[col.key] = None
            row.refuse(col.key, str(error))
    outcome = REFUSED
    if not row.refused:
        with transaction.atomic():
            outcome = registry.process(Context(request.auth), [row])[0]
            if outcome == REFUSED:
                transaction.set_rollback(True)
    if outcome == REFUSED:
        from django.utils.translation import gettext as _

        raise _RowRefused([{"column": c, "message": m} for c, m in row.errors], _("Строка не принята."))
    return Status(201 if outcome == CREATED else 200, {"outcome": outcome, "id": getattr(row, "obj_id", None)})


class _RowRefused(ApiError):
    def __init__(self, details: list[dict], message: str) -> None:
        super().__init__(422, "row_refused", message)
        self.details = details


def _register(key: str) -> None:
    out, queryset, dump = READS[key]

    Page = create_model(f"{key.title()}Page", __base__=Schema, count=(int, ...), limit=(int, ...),  # noqa: N806
                        offset=(int, ...), items=(list[out], ...))

    @router.get(f"/registry/{key}", response={200: Page, **ERRORS}, auth=token_or_session(READ_SCOPE),
                operation_id=f"registry_{key}_list", summary=f"List {key} (scoped, paginated)")
    def list_(request, paging: Query[Paging]):
        limit = max(1, min(paging.limit, MAX_LIMIT))
        offset = max(0, paging.offset)
        qs = scope_queryset(request.auth, queryset()).order_by("pk")
        items = [dump(obj, request.auth) for obj in qs[offset:offset + limit]]
        return {"count": qs.count(), "limit": limit, "offset": offset, "items": items}

    @router.get(f"/registry/{key}/{{item_id}}", response={200: out, **ERRORS}, auth=token_or_session(READ_SCOPE),
                operation_id=f"registry_{key}_get", summary=f"One of {key}")
    def get_(request, item_id: int):
        if not -(2 ** 63) < item_id < 2 ** 63:
            raise Http404
        obj = scope_queryset(request.auth, queryset()).filter(pk=item_id).first()
        if obj is None:
            raise Http404
        return dump(obj, request.auth)

    schema = _input_schema(key)

    def upsert(request, payload):
        return _upsert(request, key, payload)

    upsert.__annotations__ = {"payload": schema}  # a class built at run time, not a name to resolve later
    router.post(f"/registry/{key}", response={200: UpsertOut, 201: UpsertOut, **ERRORS},
                auth=token_or_session(WRITE_SCOPE), operation_id=f"registry_{key}_upsert",
                summary=f"Create or update one of {key} by its natural key (one import row)")(upsert)


for _key in READS:
    _register(_key)
