"""Authentication of the JSON API: a personal bearer token or the browser session (with CSRF).

A token is ``kzh_`` + 43 random URL-safe characters. Only its SHA-256 is stored
(:class:`~kruzhok.accounts.models.ApiToken`), so a stolen database does not hand out working tokens;
the token is shown once, when issued. A request that presents a token is decided by the token alone:
an unknown or revoked one is refused (401) rather than falling back to the session, and a token without
the scope an operation needs is refused with 403.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import secrets
from typing import Any

from django.db import connection, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.security import HttpBearer, SessionAuth

from kruzhok.accounts.models import ApiToken, User
from kruzhok.core.errors import DomainError
from kruzhok.core.services import audit_record

TOKEN_PREFIX = "kzh_"
DEFAULT_SCOPES = (ApiToken.Scope.APPLICATIONS_READ.value, ApiToken.Scope.APPLICATIONS_WRITE.value)
# ``last_used_at`` is a hint for the owner, not an audit trail: written at most once a minute per token,
# so a busy client does not turn every read into a write.
TOUCH_EVERY = dt.timedelta(seconds=60)


class ErrorOut(Schema):
    """Every error of the API: a stable code, a message in the caller's language, details where useful."""

    code: str
    message: str
    details: Any = None


class ApiError(HttpError):
    """An API-level refusal with its own code (what the services refuse is a DomainError)."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code, str(message))
        self.code = code


class TokenRefused(AuthenticationError):
    """A token was presented but is unknown, revoked or belongs to an inactive user."""

    code = "token_invalid"

    def __init__(self) -> None:
        super().__init__(401, _("Токен API недействителен или отозван."))


class TokenScopeMissing(AuthorizationError):
    code = "token_scope_missing"

    def __init__(self, scope: str) -> None:
        super().__init__(403, _("У токена нет права «%(scope)s».") % {"scope": ApiToken.Scope(scope).label})
        self.scope = scope


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_new() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def api_token_issue(*, user: Any, name: str, scopes: list[str] | tuple[str, ...] = DEFAULT_SCOPES,
                    ) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the row and the token itself, which is never shown again."""
    unknown = set(scopes) - set(ApiToken.Scope.values)
    if unknown:
        raise DomainError(_("Неизвестные права токена: %(scopes)s.") % {"scopes": ", ".join(sorted(unknown))},
                          code="token_scope_unknown")
    token = token_new()
    with transaction.atomic():
        row = ApiToken.objects.create(user=user, name=name, key_hash=token_hash(token),
                                      prefix=token[:len(TOKEN_PREFIX) + 4], scopes=sorted(set(scopes)))
        audit_record(actor=user, action="api_token.issue", obj=row, name=name, scopes=row.scopes)
    return row, token


def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    with transaction.atomic():
        if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            audit_record(actor=actor, action="api_token.revoke", obj=token)
    token.refresh_from_db(fields=["revoked_at"])
    return token


@functools.cache
def _token_sql() -> str:
    from kruzhok.catalog.models import Teacher
    from kruzhok.people.models import Guardian

    return (
        f"SELECT t.id, t.scopes, t.last_used_at, u.id, u.email, u.is_superuser, u.is_staff, u.preferred_language, "
        f"g.id, te.id FROM {ApiToken._meta.db_table} t "
        f"JOIN {User._meta.db_table} u ON u.id = t.user_id "
        f"LEFT JOIN {Guardian._meta.db_table} g ON g.user_id = u.id "
        f"LEFT JOIN {Teacher._meta.db_table} te ON te.user_id = u.id "
        f"WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"
    )


def token_user(token: str) -> tuple[Any, ApiToken] | None:
    """The active user a token belongs to, or None.

    Every API call pays for this, so it is one hand-written statement: the ORM spends about 0.7 ms of CPU
    compiling this join, several times what the database spends running it. It reads the token, the user's flags
    and the ids of the profiles scoping reads; the user comes back with only those fields loaded (others load on
    first access) and its profiles cached.
    """
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [token_hash(token)])
        found = cursor.fetchone()
    if found is None:
        return None
    token_id, scopes, last_used_at, user_id, email, is_superuser, is_staff, language, guardian_id, teacher_id = found
    user = partial_instance(User, id=user_id, email=email, is_active=True, is_superuser=bool(is_superuser),
                            is_staff=bool(is_staff), preferred_language=language)
    _cache_profile(user, "guardian_profile", guardian_id)
    _cache_profile(user, "teacher_profile", teacher_id)
    if last_used_at is not None and timezone.is_naive(last_used_at):  # SQLite
        last_used_at = last_used_at.replace(tzinfo=dt.UTC)
    row = partial_instance(ApiToken, id=token_id, user_id=user_id, last_used_at=last_used_at,
                           scopes=json.loads(scopes) if isinstance(scopes, str) else scopes)
    row.user = user
    now = timezone.now()
    if last_used_at is None or now - last_used_at >= TOUCH_EVERY:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {ApiToken._meta.db_table} SET last_used_at = %s WHERE id = %s",
                           [connection.ops.adapt_datetimefield_value(now), token_id])
    return user, row


def partial_instance(model: type, **values: Any) -> Any:
    """A model instance as loaded from the database with only ``values`` (by attname); the rest is deferred.

    What ``Model.from_db`` makes, without its ``__init__`` walking every field of the model (the apply request
    makes five of these): the values go straight into the instance's ``__dict__``, where ``__init__`` would put
    them. A model with ``pre_init``/``post_init`` receivers goes through ``from_db``, so they still run."""
    names = _concrete_names(model, tuple(values))
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model.from_db(connection.alias, list(names), [values[name] for name in names])
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding, state.db = False, connection.alias
    instance.__dict__.update({name: values[name] for name in names})
    return instance


@functools.cache
def _concrete_names(model: type, given: tuple[str, ...]) -> tuple[str, ...]:
    """The concrete fields' attnames among ``given``, in the model's order (unknown names are left out)."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in given)


def _cache_profile(user: Any, name: str, pk: int | None) -> None:
    """Prime the reverse one-to-one, so ``user.guardian_profile`` costs no query (None: raises DoesNotExist)."""
    related = getattr(type(user), name).related
    profile = partial_instance(related.related_model, id=pk, user_id=user.pk) if pk else None
    related.set_cached_value(user, profile)


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``, requiring ``scope`` when given."""

    def __init__(self, scope: str | None = None) -> None:
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_user(token.strip())
        if found is None:
            raise TokenRefused()
        user, row = found
        if self.scope and self.scope not in row.scopes:
            raise TokenScopeMissing(self.scope)
        request.user = user
        request.api_token = row
        return user


class Session(SessionAuth):
    """The signed-in browser session; unsafe methods need the CSRF token (``X-CSRFToken`` header)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            request.api_token = None
        return user


def token_or_session(scope: str) -> list:
    return [BearerToken(scope), Session()]


# --- managing one's own tokens (from the browser session only: a token cannot mint tokens) -------------

router = Router(tags=["tokens"], auth=Session())


class TokenIn(Schema):
    name: str
    scopes: list[ApiToken.Scope] = list(DEFAULT_SCOPES)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIssued(TokenOut):
    token: str


@router.get("", response=list[TokenOut], summary="My API tokens")
def tokens_list(request):
    return list(ApiToken.objects.filter(user=request.auth))


@router.post("", response={201: TokenIssued}, summary="Issue an API token (shown once)")
def tokens_issue(request, payload: TokenIn):
    row, token = api_token_issue(user=request.auth, name=payload.name.strip()[:100] or _("Токен API"),
                                 scopes=[str(s) for s in payload.scopes])
    return Status(201, {**TokenOut.model_validate(row).model_dump(), "token": token})


@router.post("/{token_id}/revoke", response=TokenOut, summary="Revoke an API token")
def tokens_revoke(request, token_id: int):
    row = get_object_or_404(ApiToken, pk=token_id, user=request.auth)
    return api_token_revoke(token=row, actor=request.auth)
