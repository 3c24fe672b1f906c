"""A parent's applications in JSON: apply a child to a group, follow the status and queue position, withdraw.

Authenticated by a personal token (``Authorization: Bearer …``, scopes ``applications:read`` /
``applications:write``) or the browser session with its CSRF token. Scoped like the cabinet's pages: a
family's children through ``scope_queryset``, its applications through ``family_applications``; another
family's child or application answers 404, as if it did not exist.

Applying is idempotent per user: a request repeated with the same ``Idempotency-Key`` answers 200 with the
application the first one created (201), never a second application; the same key with another child or
group is refused (409 ``idempotency_key_reused``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status

from kruzhok.accounts.api_auth import ApiError, ErrorOut, partial_instance, token_or_session
from kruzhok.accounts.models import ApiToken
from kruzhok.accounts.scoping import scope_queryset, user_scope
from kruzhok.catalog.models import Group, Organization, Programme
from kruzhok.catalog.selectors import localized
from kruzhok.enrollment.models import Application, ApplicationStatus
from kruzhok.enrollment.selectors import application_queue_position, family_applications
from kruzhok.enrollment.services import application_submit, application_withdraw
from kruzhok.people.models import Child

router = Router(tags=["applications"])

READ = token_or_session(ApiToken.Scope.APPLICATIONS_READ)
WRITE = token_or_session(ApiToken.Scope.APPLICATIONS_WRITE)
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ApplicationIn(Schema):
    child_id: int
    group_id: int


class CodeName(Schema):
    code: str
    name: str


class ChildRef(Schema):
    id: int
    name: str


class GroupRef(Schema):
    id: int
    name: str
    programme_id: int
    programme_title: str
    organization_id: int
    organization: str


class ApplicationOut(Schema):
    id: int
    status: CodeName
    child: ChildRef
    group: GroupRef
    submitted_at: dt.datetime = Field(..., description="время получения сервером: порядок очереди")
    status_changed_at: dt.datetime
    answer_due_at: dt.datetime | None
    decided_at: dt.datetime | None
    reject_reason: CodeName | None
    queue_position: int | None = Field(None, description="1 — первый в очереди группы; только для ждущих")
    lottery_rank: int | None
    url: str


class StatusChangeOut(Schema):
    from_status: CodeName | None
    to_status: CodeName
    at: dt.datetime
    note: str


class ApplicationDetail(ApplicationOut):
    history: list[StatusChangeOut]


# --- reading ----------------------------------------------------------------------------------------------


def _status(code: str) -> dict:
    return {"code": code, "name": str(ApplicationStatus(code).label)}


def _out(application: Application, *, position: bool = True) -> dict:
    group = application.group
    programme = group.programme
    reason = application.reject_reason
    return {
        "id": application.pk, "status": _status(application.status),
        "child": {"id": application.child_id, "name": str(application.child)},
        "group": {"id": group.pk, "name": group.name, "programme_id": programme.pk,
                  "programme_title": localized(programme, "title"), "organization_id": programme.organization_id,
                  "organization": programme.organization.short_name},
        "submitted_at": application.submitted_at, "status_changed_at": application.status_changed_at,
        "answer_due_at": application.answer_due_at, "decided_at": application.decided_at,
        "reject_reason": {"code": reason.code, "name": reason.localized_name()} if reason else None,
        "queue_position": application_queue_position(application=application) if position else None,
        "lottery_rank": application.lottery_rank, "url": f"/api/applications/{application.pk}",
    }


def _detail(application: Application) -> dict:
    history = [{"from_status": _status(c.from_status) if c.from_status else None, "to_status": _status(c.to_status),
                "at": c.at, "note": c.note} for c in application.history.order_by("at", "id")]
    return {**_out(application), "history": history}


def _family_application(user: Any, application_id: int) -> Application:
    return get_object_or_404(family_applications(user=user), pk=application_id)


def _family_children(user: Any) -> QuerySet[Child]:
    return scope_queryset(user, Child.objects.all(), write=True).filter(guardian_links__guardian__user=user)


# The apply path loads only what the checks, the service and the answer use.
CHILD_FIELDS = ("id", "surname", "name", "patronymic", "birth_date")
GROUP_FIELDS = ("id", "name", "capacity", "enrolled_count", "held_count", "age_from", "age_to", "period_start",
                "enrollment_opens_at", "enrollment_closes_at", "allocation", "lottery_window_ends_at", "is_active",
                "programme_id")
PROGRAMME_FIELDS = ("title", "title_kk", "title_en", "organization_id")


@functools.cache
def _public_group_sql() -> str:
    columns = [f"g.{Group._meta.get_field(f).column}" for f in GROUP_FIELDS]
    columns += [f"p.{Programme._meta.get_field(f).column}" for f in PROGRAMME_FIELDS] + ["o.short_name"]
    return (f"SELECT {', '.join(columns)} FROM {Group._meta.db_table} g "
            f"JOIN {Programme._meta.db_table} p ON p.id = g.programme_id "
            f"JOIN {Organization._meta.db_table} o ON o.id = p.organization_id "
            f"WHERE g.id = %s AND p.status = %s AND o.is_active")


def _public_group(group_id: int) -> Group:
    """A group of a published programme of an active organization, with its programme's titles and organization's
    name — what the service checks and the answer shows. Hand-written because every applicant takes this path:
    compiling the join costs the ORM several times what the database spends on it."""
    with connection.cursor() as cursor:
        cursor.execute(_public_group_sql(), [group_id, Programme.Status.PUBLISHED.value])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    return group_from_row(row)


def group_from_row(row: tuple) -> Group:
    """The group (with its programme and organization attached) from the columns of ``_public_group_sql``."""
    values = dict(zip(GROUP_FIELDS + PROGRAMME_FIELDS + ("short_name",), map(_aware, row), strict=True))
    group = partial_instance(Group, **{f: values[f] for f in GROUP_FIELDS})
    group.is_active = bool(group.is_active)
    programme = partial_instance(Programme, id=group.programme_id, **{f: values[f] for f in PROGRAMME_FIELDS})
    programme.organization = partial_instance(Organization, id=programme.organization_id,
                                              short_name=values["short_name"])
    group.programme = programme
    return group


def _aware(value: Any) -> Any:
    """SQLite hands back naive datetimes (in UTC)."""
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return value.replace(tzinfo=dt.UTC)
    return value


def _stored_key(user: Any, key: str) -> str:
    return stored_idempotency_key(user.pk, key)


def stored_idempotency_key(user_id: int, key: str) -> str:
    """Keys are per user: the same key from two families never meets (and fits the 64-character column)."""
    return hashlib.sha256(f"api:{user_id}:{key}".encode()).hexdigest()


# --- routes -----------------------------------------------------------------------------------------------


@router.get("", auth=READ, response={200: list[ApplicationOut], **ERRORS}, summary="My children's applications")
def applications_list(request):
    return [_out(a) for a in family_applications(user=request.auth)]


@router.post("", auth=WRITE, response={200: ApplicationOut, 201: ApplicationOut, **ERRORS},
             summary="Apply a child to a group (idempotent with Idempotency-Key)")
def application_create(request, payload: ApplicationIn,
                       idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200)):
    user = request.auth
    if user_scope(user).guardian_id is None:
        raise ApiError(403, "not_a_parent", _("Подавать заявки может только родитель (законный представитель)."))
    received = timezone.now()
    child = get_object_or_404(_family_children(user).only(*CHILD_FIELDS), pk=payload.child_id)
    group = _public_group(payload.group_id)
    key = _stored_key(user, idempotency_key) if idempotency_key else None
    application = application_submit(child=child, group=group, actor=user, idempotency_key=key)
    # The service answers a replayed key with the application the first request made (and refuses the key
    # for another child or group); one received before this request began is that replay.
    replay = key is not None and application.submitted_at < received
    # The queue position is one count over the group's queue: left to GET, the apply path stays short.
    return Status(200 if replay else 201, _out(application, position=False))


@router.get("/{application_id}", auth=READ, response={200: ApplicationDetail, **ERRORS},
            summary="An application: status, history, queue position")
def application_detail(request, application_id: int):
    return _detail(_family_application(request.auth, application_id))


@router.post("/{application_id}/withdraw", auth=WRITE, response={200: ApplicationDetail, **ERRORS},
             summary="Withdraw an application")
def application_withdraw_view(request, application_id: int):
    application = _family_application(request.auth, application_id)
    application_withdraw(application=application, actor=request.auth)
    return _detail(_family_application(request.auth, application_id))
