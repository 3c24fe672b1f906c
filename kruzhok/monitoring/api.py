"""JSON API of the monitoring app (mounted by ``config.api`` at ``/api/monitoring``): read-only figures.

Every endpoint takes the same filter as the pages — ``region`` or ``municipality`` (none: the whole
installation, superusers only), ``on`` (default today), ``age_from``/``age_to`` (default 5/18), ``direction``,
``org_type`` — and answers only for a territory the token's user may monitor (403 otherwise). Coverage figures
take ``source=live|aggregates`` and say where they came from and when they were computed. A token needs the
``applications:read`` scope (the read scope of the API) or a signed-in session.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from kruzhok.accounts.api_auth import ApiError, ErrorOut, token_or_session
from kruzhok.accounts.models import ApiToken
from kruzhok.catalog.models import Organization
from kruzhok.monitoring import selectors as sel
from kruzhok.territory.models import Municipality, Region

router = Router(tags=["monitoring"])
READ_SCOPE = getattr(ApiToken.Scope, "MONITORING_READ", ApiToken.Scope.APPLICATIONS_READ).value
AUTH = token_or_session(READ_SCOPE)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
Figures = dict[str, Any]


def _filter(request, *, region: int | None, municipality: int | None, on: dt.date | None, age_from: int,
            age_to: int, direction: int | None, org_type: str | None) -> sel.MonitoringFilter:
    territory: Region | Municipality | None = None
    if municipality is not None:
        territory = get_object_or_404(Municipality, pk=municipality)
    elif region is not None:
        territory = get_object_or_404(Region, pk=region)
    if not sel.monitoring_access(user=request.auth, territory=territory):
        raise ApiError(403, "forbidden", _("Эта территория вам недоступна."))
    if org_type is not None and org_type not in Organization.Type.values:
        raise ApiError(422, "validation_error", _("Неизвестный тип организации."))
    try:
        return sel.MonitoringFilter(on=on or timezone.localdate(), territory=territory, age_from=age_from,
                                    age_to=age_to, direction_id=direction, organization_type=org_type)
    except ValueError as error:
        raise ApiError(422, "validation_error", _("Неверный возрастной диапазон.")) from error


def _source(source: str) -> str:
    if source not in sel.SOURCES:
        raise ApiError(422, "validation_error", _("Источник: live или aggregates."))
    return source


def _plain(value: Any) -> Any:
    """Dataclasses to dicts; dates and datetimes to ISO strings; dict keys to strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _meta(f: sel.MonitoringFilter) -> dict:
    territory = f.territory
    return {"on": f.on.isoformat(), "age_from": f.age_from, "age_to": f.age_to, "direction": f.direction_id,
            "org_type": f.organization_type,
            "territory": None if territory is None else {
                "kind": "region" if isinstance(territory, Region) else "municipality", "id": territory.pk,
                "name": territory.localized_name()}}


@router.get("/coverage", auth=AUTH, response={200: Figures, **ERRORS}, summary="Coverage of unique children")
def coverage(request, region: int | None = None, municipality: int | None = None, on: dt.date | None = None,
             age_from: int = 5, age_to: int = 18, direction: int | None = None, org_type: str | None = None,
             source: str = sel.LIVE):
    f = _filter(request, region=region, municipality=municipality, on=on, age_from=age_from, age_to=age_to,
                direction=direction, org_type=org_type)
    return {"filter": _meta(f), **_plain(sel.coverage_summary(f=f, source=_source(source)))}


@router.get("/breakdown/{by}", auth=AUTH, response={200: Figures, **ERRORS},
            summary="Enrollments and unique children by municipality, settlement kind, sex, age, category, "
                    "direction or organization type")
def breakdown(request, by: str, region: int | None = None, municipality: int | None = None,
              on: dt.date | None = None, age_from: int = 5, age_to: int = 18, direction: int | None = None,
              org_type: str | None = None, source: str = sel.LIVE):
    if by not in sel.BREAKDOWNS:
        raise ApiError(404, "not_found", _("Нет такой разбивки."))
    f = _filter(request, region=region, municipality=municipality, on=on, age_from=age_from, age_to=age_to,
                direction=direction, org_type=org_type)
    return {"filter": _meta(f), **_plain(sel.coverage_breakdown(f=f, by=by, source=_source(source)))}


@router.get("/clubs-per-child", auth=AUTH, response={200: Figures, **ERRORS}, summary="Clubs per child")
def clubs(request, region: int | None = None, municipality: int | None = None, on: dt.date | None = None,
          age_from: int = 5, age_to: int = 18, direction: int | None = None, org_type: str | None = None,
          source: str = sel.LIVE):
    f = _filter(request, region=region, municipality=municipality, on=on, age_from=age_from, age_to=age_to,
                direction=direction, org_type=org_type)
    return {"filter": _meta(f), **_plain(sel.clubs_per_child(f=f, source=_source(source)))}


@router.get("/trend", auth=AUTH, response={200: Figures, **ERRORS}, summary="Coverage on the same day of past years")
def trend(request, region: int | None = None, municipality: int | None = None, on: dt.date | None = None,
          age_from: int = 5, age_to: int = 18, direction: int | None = None, org_type: str | None = None,
          years: int = 3, source: str = sel.LIVE):
    if not 1 <= years <= 10:
        raise ApiError(422, "validation_error", _("Число лет — от 1 до 10."))
    f = _filter(request, region=region, municipality=municipality, on=on, age_from=age_from, age_to=age_to,
                direction=direction, org_type=org_type)
    return {"filter": _meta(f), "points": _plain(sel.coverage_trend(f=f, years=years, source=_source(source)))}


@router.get("/programmes", auth=AUTH, response={200: Figures, **ERRORS}, summary="Programmes by flag")
def programmes(request, region: int | None = None, municipality: int | None = None, on: dt.date | None = None,
               direction: int | None = None, org_type: str | None = None):
    f = _filter(request, region=region, municipality=municipality, on=on, age_from=5, age_to=18,
                direction=direction, org_type=org_type)
    return {"filter": _meta(f), **_plain(sel.programme_flag_counts(f=f))}


@router.get("/group-fill", auth=AUTH, response={200: Figures, **ERRORS}, summary="Group fill")
def group_fill(request, region: int | None = None, municipality: int | None = None, on: dt.date | None = None,
               direction: int | None = None, org_type: str | None = None, under_threshold: float = 0.5):
    if not 0 <= under_threshold <= 1:
        raise ApiError(422, "validation_error", _("Порог — от 0 до 1."))
    f = _filter(request, region=region, municipality=municipality, on=on, age_from=5, age_to=18,
                direction=direction, org_type=org_type)
    return {"filter": _meta(f), **_plain(sel.group_fill(f=f, under_threshold=under_threshold))}


@router.get("/timeliness", auth=AUTH, response={200: Figures, **ERRORS}, summary="Application timeliness")
def timeliness(request, start: dt.date, end: dt.date, region: int | None = None, municipality: int | None = None,
               direction: int | None = None, org_type: str | None = None):
    if end < start or (end - start).days > 731:
        raise ApiError(422, "validation_error", _("Период: начало не позже конца, не больше двух лет."))
    f = _filter(request, region=region, municipality=municipality, on=end, age_from=5, age_to=18,
                direction=direction, org_type=org_type)
    return {"filter": _meta(f), **_plain(sel.application_timeliness(f=f, start=start, end=end))}


@router.get("/cards", auth=AUTH, response={200: Figures, **ERRORS}, summary="Programme-card completeness")
def cards(request, region: int | None = None, municipality: int | None = None, on: dt.date | None = None,
          direction: int | None = None, org_type: str | None = None):
    f = _filter(request, region=region, municipality=municipality, on=on, age_from=5, age_to=18,
                direction=direction, org_type=org_type)
    result = sel.card_completeness(f=f)
    return {"filter": _meta(f), "defect_labels": {k: str(v) for k, v in sel.CARD_DEFECTS.items()},
            **_plain(result)}


@router.get("/staffing", auth=AUTH, response={200: Figures, **ERRORS}, summary="Teachers and qualification")
def staffing(request, region: int | None = None, municipality: int | None = None, on: dt.date | None = None,
             age_from: int = 5, age_to: int = 18, direction: int | None = None, org_type: str | None = None):
    f = _filter(request, region=region, municipality=municipality, on=on, age_from=age_from, age_to=age_to,
                direction=direction, org_type=org_type)
    return {"filter": _meta(f), **_plain(sel.staffing(f=f))}
