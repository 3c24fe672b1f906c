"""The apply request without the framework: ``POST /api/applications`` with a bearer token, on PostgreSQL.

When enrollment opens, a whole town sends this one request within minutes. Through the framework (middleware,
django-ninja's routing, auth and schemas) it costs several milliseconds of CPU, where the work itself is two
round trips to the database. :class:`ApplyFastPath` wraps the WSGI application (``config/wsgi.py``) and answers
the common case itself:

1. one prepared read: the token (not revoked, its user active), the user's guardian profile, the child — only
   if linked to that guardian —, the group — only of a published programme of an active organization;
2. the checks of the API route (``kruzhok.enrollment.api.application_create``): the ``applications:write``
   scope, a parent, the family's own child, a public group, ``application_refusal`` (window, ages);
3. ``application_submit_direct``: the seat lock and one statement writing the application, its history row and
   the token's ``last_used_at``, in one transaction.

The answer (201, the same JSON, headers and language) is made by the route's own code: ``_out``, the
``ApplicationOut`` schema, the API's renderer and the response half of the middleware.

Everything else goes to Django untouched and is answered there as before: other paths and methods, session
auth, a request it cannot read (content type, JSON, field types, a long key), a missing or refused token or
scope, not a parent, another family's or an unknown child, a hidden or unknown group, a refusal, a lottery
group, children waiting while seats are free, a replayed or reused ``Idempotency-Key``, a second open
application, SQLite, a host outside ``ALLOWED_HOSTS``, an HTTPS redirect — and any database error before the
commit. So the fast path only ever says yes, and only when the route would have said the same yes.
"""

from __future__ import annotations

import functools
import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

PATH = "/api/applications"
MAX_BODY = 4096
MAX_KEY = 200  # as the route's Idempotency-Key header
# The response half of the middleware that adds headers to an API answer (SecurityMiddleware: nosniff,
# referrer and opener policies, HSTS; Locale: Content-Language, Vary; Common: Content-Length; clickjacking).
RESPONSE_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)


class ApplyFastPath:
    """WSGI middleware: the apply request in its common case, everything else to ``app``."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.enabled = connection.vendor == "postgresql"
        names = [name for name in settings.MIDDLEWARE if name in RESPONSE_MIDDLEWARE]
        # In the order Django runs them on the way out: the last listed first.
        self.middleware = [import_string(name)(lambda request: None) for name in reversed(names)]
        self.request_middleware = [m for m in reversed(self.middleware) if type(m).__name__ == "LocaleMiddleware"]
        self.served = 0  # answered here (for tests and curiosity)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if (not self.enabled or environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST"
                or not environ.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")):
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # Django reads it again when the request goes on
        response = None
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # what request_started does
        try:
            response = self.answer(environ, body)
        except _Committed:  # the application exists: not a request to answer again (a 500, as Django would)
            raise
        except Exception:  # before the commit: Django answers the same request from scratch
            log.warning("apply fast path fell back to Django", exc_info=True)
            if connection.connection is not None and connection.connection.closed:
                connection.close()
        finally:
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()  # what request_finished does
        if response is None:
            environ["wsgi.input"] = io.BytesIO(body)
            return self.app(environ, start_response)
        self.served += 1
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, list(response.items()))
        return [response.content]

    def answer(self, environ: dict, body: bytes) -> HttpResponse | None:
        """The route's 201 answer, or None to let Django answer."""
        from kruzhok.accounts.api_auth import TOUCH_EVERY, token_hash
        from kruzhok.accounts.models import ApiToken
        from kruzhok.enrollment.api import _out, group_from_row, stored_idempotency_key
        from kruzhok.enrollment.services import application_refusal, application_submit_direct

        if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
            return None
        request = WSGIRequest(environ)
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks
        except DisallowedHost:
            return None
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None
        if settings.DISALLOWED_USER_AGENTS:
            return None
        key = environ.get("HTTP_IDEMPOTENCY_KEY")
        if key is not None and len(key) > MAX_KEY:
            return None
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        if not isinstance(payload, dict):
            return None
        child_id, group_id = payload.get("child_id"), payload.get("group_id")
        if type(child_id) is not int or type(group_id) is not int or not (_INT_MIN <= child_id <= _INT_MAX
                                                                         and _INT_MIN <= group_id <= _INT_MAX):
            return None
        token = environ["HTTP_AUTHORIZATION"][len("Bearer "):].strip()
        connection.ensure_connection()
        from psycopg import Cursor

        cursor = Cursor(connection.connection)
        cursor.execute(_read_sql(), (child_id, group_id, token_hash(token)), prepare=True)
        row = cursor.fetchone()
        if row is None:
            return None
        token_id, scopes, last_used_at, user_id, guardian_id, *rest = row
        child_row, group_row = rest[:len(CHILD_COLUMNS)], rest[len(CHILD_COLUMNS):]
        if isinstance(scopes, str):
            scopes = json.loads(scopes)
        if (ApiToken.Scope.APPLICATIONS_WRITE.value not in scopes or guardian_id is None or child_row[0] is None
                or group_row[0] is None):
            return None
        child = _partial_child(child_row)
        group = group_from_row(group_row)
        if group.allocation != group.Allocation.QUEUE:  # a lottery: application_submit
            return None
        # The middleware's language (``LocaleMiddleware``: Russian outside the prefixed pages) frames the answer;
        # the API's own (the cookie, then Accept-Language) is the language of its content.
        with translation.override(translation.get_language()):
            for middleware in self.request_middleware:
                middleware.process_request(request)
            with translation.override(translation.get_language_from_request(request)):
                if application_refusal(child=child, group=group, now=timezone.now()) is not None:
                    return None
                now = timezone.now()
                touch = token_id if last_used_at is None or now - last_used_at >= TOUCH_EVERY else None
                application = application_submit_direct(
                    child=child, group=group, actor_id=user_id, touch_token_id=touch,
                    idempotency_key=stored_idempotency_key(user_id, key) if key else None)
                if application is None:
                    return None
                try:
                    # _out gives what the route's ApplicationOut schema dumps (same keys, order and types; the
                    # tests compare the two answers), without running the schema's validators again.
                    response = _api().create_response(request, _out(application, position=False), status=201)
                except Exception as error:
                    raise _Committed from error
            try:
                for middleware in self.middleware:
                    response = middleware.process_response(request, response)
            except Exception as error:
                raise _Committed from error
        return response


class _Committed(Exception):
    """Failed after the application was committed."""


_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
CHILD_COLUMNS = ("id", "surname", "name", "patronymic", "birth_date")


def _partial_child(values: tuple) -> Any:
    from kruzhok.accounts.api_auth import partial_instance
    from kruzhok.people.models import Child

    return partial_instance(Child, **dict(zip(CHILD_COLUMNS, values, strict=True)))


@functools.cache
def _api() -> Any:
    from config.api import api

    return api


@functools.cache
def _read_sql() -> str:
    """The token with its user and guardian profile, the child if the guardian's, the group if public."""
    from kruzhok.accounts.models import ApiToken, User
    from kruzhok.catalog.models import Group, Organization, Programme
    from kruzhok.enrollment.api import _public_group_sql
    from kruzhok.people.models import Child, Guardian, GuardianLink

    group_select = _public_group_sql()
    group_columns = group_select[len("SELECT "):group_select.index(" FROM ")]
    assert group_select.endswith("WHERE g.id = %s AND p.status = %s AND o.is_active")
    published = Programme.Status.PUBLISHED.value
    child_columns = ", ".join(f"c.{Child._meta.get_field(name).column}" for name in CHILD_COLUMNS)
    return (
        f"SELECT t.id, t.scopes, t.last_used_at, u.id, gu.id, {child_columns}, {group_columns} "
        f"FROM {ApiToken._meta.db_table} t "
        f"JOIN {User._meta.db_table} u ON u.id = t.user_id AND u.is_active "
        f"LEFT JOIN {Guardian._meta.db_table} gu ON gu.user_id = u.id "
        # A join, not EXISTS: the planner turns that EXISTS into a hash of every link.
        f"LEFT JOIN {GuardianLink._meta.db_table} l ON l.child_id = %s AND l.guardian_id = gu.id "
        f"LEFT JOIN {Child._meta.db_table} c ON c.id = l.child_id "
        f"LEFT JOIN ({Group._meta.db_table} g "
        f"JOIN {Programme._meta.db_table} p ON p.id = g.programme_id AND p.status = '{published}' "
        f"JOIN {Organization._meta.db_table} o ON o.id = p.organization_id AND o.is_active) ON g.id = %s "
        f"WHERE t.key_hash = %s AND t.revoked_at IS NULL"
    )


def wrap(app: Callable) -> Callable:
    return ApplyFastPath(app)

