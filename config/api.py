"""The JSON API (django-ninja): one NinjaAPI, each app adds its router. Schema at /api/openapi.json, docs at /api/docs.

Every error is one JSON shape, ``{"code": "...", "message": "<in the request's language>", "details": ...}``:

=====  =====================================================================================
401    ``not_authenticated`` (no token, no session), ``token_invalid`` (unknown or revoked token)
403    ``forbidden``, ``csrf_failed`` (session without the CSRF token), ``token_scope_missing``,
       ``not_a_parent``
404    ``not_found`` — also for another family's child or application: the API does not say it exists
409    a refused action, with the service's code: ``cannot_apply``, ``application_one_open_per_group``,
       ``bad_transition``, ``group_seats_not_oversold``, ``idempotency_key_reused``, …
422    ``validation_error``: ``details`` lists the fields (ninja's ``loc``/``msg``/``type``)
=====  =====================================================================================

Messages follow the request's language (the ``django_language`` cookie, then ``Accept-Language``; Russian by
default), like the pages.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kruzhok.accounts.api_auth import ApiError, ErrorOut  # noqa: F401  (the error shape, re-exported)
from kruzhok.core.errors import DomainError

api = NinjaAPI(title="Kruzhok API", version="1", docs_url="/docs", openapi_url="/openapi.json", urls_namespace="api",
               description="Каталог кружков и заявки родителей. Ошибки: {code, message, details}.")


def error_response(request: HttpRequest, status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": str(message), "details": details}, status=status)


def _in_request_language(run):
    """The API lives outside ``i18n_patterns``: answer in the language the caller asks for."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        with translation.override(translation.get_language_from_request(request)):
            return run(request, *args, **kwargs)

    return wrapper


api.add_decorator(_in_request_language, mode="view")


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return error_response(request, 409, exc.code or "refused", exc.messages[0])


@api.exception_handler(DjangoValidationError)
def _model_validation_error(request, exc: DjangoValidationError):
    details = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return error_response(request, 422, "validation_error", _("Проверьте данные запроса."), details)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors]
    return error_response(request, 422, "validation_error", _("Проверьте данные запроса."), details)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", _("Не найдено."))


@api.exception_handler(HttpError)
@api.exception_handler(AuthenticationError)
@api.exception_handler(AuthorizationError)
def _http_error(request, exc: HttpError):
    code = getattr(exc, "code", None)
    if code:
        message = exc.message
    elif isinstance(exc, AuthenticationError):
        code, message = "not_authenticated", _("Войдите в кабинет или передайте токен API (Authorization: Bearer).")
    elif exc.status_code == 403 and "CSRF" in exc.message:
        code, message = "csrf_failed", _("Запрос из браузера без CSRF-токена: передайте заголовок X-CSRFToken.")
    elif isinstance(exc, AuthorizationError) or exc.status_code == 403:
        code, message = "forbidden", _("Недостаточно прав.")
    elif exc.status_code == 404:
        code, message = "not_found", _("Не найдено.")
    else:
        code, message = f"http_{exc.status_code}", exc.message
    return error_response(request, exc.status_code, code, message, getattr(exc, "details", None))


def _routers() -> None:
    from kruzhok.accounts.api_auth import router as tokens
    from kruzhok.catalog.api import router as catalog
    from kruzhok.dedup.api import router as dedup
    from kruzhok.enrollment.api import router as applications
    from kruzhok.events.api import router as events
    from kruzhok.interchange.api import router as interchange
    from kruzhok.monitoring.api import router as monitoring
    from kruzhok.reports.api import router as reports

    api.add_router("/", catalog)
    api.add_router("/applications", applications)
    api.add_router("/tokens", tokens)
    api.add_router("/events", events)
    api.add_router("/monitoring", monitoring)
    api.add_router("/dedup", dedup)
    api.add_router("/reports", reports)
    api.add_router("/", interchange)


_routers()
