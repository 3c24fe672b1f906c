"""Schemathesis against the whole OpenAPI schema (every router: catalog, applications, tokens, registries,
monitoring, events, dedup, reports), with a token of each role: no server error, no response outside the schema,
and — for the registries — no row outside the role's scope.

Kept small (``MAX_EXAMPLES`` per operation and role) so the suite stays fast; ``SCHEMATHESIS_EXAMPLES=50`` runs a
deeper pass.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kruzhok.accounts.api_auth import api_token_issue
from kruzhok.accounts.models import ApiToken
from kruzhok.accounts.scoping import scope_queryset
from kruzhok.interchange.api import READ_SCOPE, READS, WRITE_SCOPE

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "1"))
ROLES = ("parent", "teacher", "org_admin", "municipal_admin", "regional_admin", "outsider")


def _scope_check(user):
    def check(ctx, response, case):
        path = case.operation.path
        if case.method != "GET" or response.status_code != 200 or not path.startswith("/api/registry/"):
            return None
        key = path.split("/")[3]
        _out, queryset, _dump = READS[key]
        allowed = set(scope_queryset(user, queryset()).values_list("pk", flat=True))
        body = response.json()
        ids = [item["id"] for item in body["items"]] if "items" in body else [body["id"]]
        outside = set(ids) - allowed
        assert not outside, f"{key}: rows outside the scope of {user}: {sorted(outside)}"
        return True

    return check


@pytest.fixture
def _keep_connection():
    """The WSGI handler closes the database connection after each request (``request_finished``); inside a test
    that would close the test's own transaction. Django's test client disconnects it the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_keep_connection")
@pytest.mark.parametrize("role", ROLES)
def test_every_operation_with_each_role(world, role):
    user = getattr(world, role)
    scopes = sorted({*ApiToken.Scope.values, READ_SCOPE, WRITE_SCOPE})
    _row, token = api_token_issue(user=user, name="schemathesis", scopes=scopes)
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())
    checks = [not_a_server_error, response_schema_conformance]
    scope_check = _scope_check(user)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        if operation.path.startswith("/api/tokens"):
            continue  # session-only (a token cannot mint tokens): covered by accounts' tests

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=headers, checks=checks, additional_checks=[scope_check])

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # every operation's failure, then one failure with all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:600]}")
    assert not failures, "\n\n".join(failures)
