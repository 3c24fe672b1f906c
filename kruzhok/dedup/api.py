"""JSON API of the dedup app (mounted by ``config.api`` at ``/api/dedup``): the review queue, read-only.

``GET /api/dedup/candidates`` lists the candidate pairs of the caller's territory (both children still unmerged),
heaviest first, filtered by ``status`` (default: those waiting for a decision) and ``municipality``;
``GET /api/dedup/candidates/{id}`` is one pair side by side with each field's agreement and each comparison's
contribution to the match weight, the other pairs of its group and the conflicts a merge would have to resolve.
Only municipal and regional admins (and superusers) may read them (403 otherwise); every queryset goes through
``accounts.scoping``, so a pair outside the caller's territory is a 404. A token needs the read scope of the API
(``applications:read``) or a signed-in session. Decisions are taken on the pages (``/dedup/``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema

from kruzhok.accounts.api_auth import ApiError, ErrorOut, token_or_session
from kruzhok.accounts.models import ApiToken
from kruzhok.dedup.models import UNRESOLVED, Candidate, CandidateStatus
from kruzhok.dedup.selectors import candidate_detail, candidates_for, is_territory_admin
from kruzhok.people.models import Child

router = Router(tags=["dedup"])
READ_SCOPE = ApiToken.Scope.APPLICATIONS_READ.value
AUTH = token_or_session(READ_SCOPE)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_LIMIT = 500


class ChildOut(Schema):
    id: int
    surname: str
    name: str
    patronymic: str
    birth_date: dt.date | None
    sex: str
    municipality: int | None


class CandidateOut(Schema):
    id: int
    child_a: ChildOut
    child_b: ChildOut
    municipality: int
    match_weight: float
    match_probability: float
    status: str
    cluster: int | None
    note: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class CandidatePage(Schema):
    count: int
    offset: int
    limit: int
    items: list[CandidateOut]


class FieldOut(Schema):
    name: str
    label: str
    a: Any = None
    b: Any = None
    same: bool


class ContributionOut(Schema):
    field: str
    label: str
    level: str
    level_label: str
    weight: float


class ConflictOut(Schema):
    key: str
    label: str
    automatic: bool


class CandidateDetailOut(CandidateOut):
    fields: list[FieldOut]
    contributions: list[ContributionOut]
    cluster_pairs: list[int]
    conflicts: list[ConflictOut]


def _child(child: Child) -> dict:
    return {"id": child.pk, "surname": child.surname, "name": child.name, "patronymic": child.patronymic,
            "birth_date": child.birth_date, "sex": child.sex, "municipality": child.municipality_id}


def _candidate(candidate: Candidate) -> dict:
    return {"id": candidate.pk, "child_a": _child(candidate.child_a), "child_b": _child(candidate.child_b),
            "municipality": candidate.municipality_id, "match_weight": candidate.match_weight,
            "match_probability": candidate.match_probability, "status": candidate.status,
            "cluster": candidate.cluster, "note": candidate.note, "created_at": candidate.created_at,
            "decided_at": candidate.decided_at}


def _require_territory_admin(request) -> None:
    if not is_territory_admin(request.auth):
        raise ApiError(403, "forbidden", _("Очередь дубликатов доступна администраторам муниципалитета и региона."))


def _plain(value: Any) -> Any:
    """A value of a field as JSON has it: dates as ISO strings, lazy translations as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


@router.get("/candidates", auth=AUTH, response={200: CandidatePage, **ERRORS},
            summary="Candidate duplicate pairs of the caller's territory")
def candidate_list(request, status: str | None = None, municipality: int | None = None, offset: int = 0,
                   limit: int = 100):
    _require_territory_admin(request)
    if status is not None and status not in CandidateStatus.values:
        raise ApiError(422, "validation_error", _("Неизвестное состояние пары."))
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise ApiError(422, "validation_error", _("Неверные offset или limit."))
    qs = candidates_for(request.auth).filter(status__in=(status,) if status else UNRESOLVED)
    if municipality is not None:
        qs = qs.filter(municipality_id=municipality)
    qs = qs.select_related("child_a", "child_b").order_by("-match_weight", "pk")
    return {"count": qs.count(), "offset": offset, "limit": limit,
            "items": [_candidate(c) for c in qs[offset:offset + limit]]}


@router.get("/candidates/{candidate_id}", auth=AUTH, response={200: CandidateDetailOut, **ERRORS},
            summary="One candidate pair explained: fields, contributions to the weight, conflicts")
def candidate_get(request, candidate_id: int):
    _require_territory_admin(request)
    candidate = (candidates_for(request.auth).select_related("child_a", "child_b", "child_a__municipality",
                                                             "child_b__municipality")
                 .filter(pk=candidate_id).first())
    if candidate is None:
        raise ApiError(404, "not_found", _("Нет такой пары."))
    view = candidate_detail(candidate=candidate)
    return {
        **_candidate(candidate),
        "fields": [{"name": r.name, "label": str(r.label), "a": _plain(r.a), "b": _plain(r.b), "same": r.same}
                   for r in view.rows],
        "contributions": [{"field": c["field"], "label": str(c["label"]), "level": c.get("level", ""),
                           "level_label": str(c["level_label"]), "weight": c["weight"]}
                          for c in view.contributions],
        "cluster_pairs": [other.pk for other in view.cluster],
        "conflicts": [{"key": c.key, "label": str(c.label), "automatic": bool(c.automatic)} for c in view.conflicts],
    }
