"""The audit log in the admin is read-only, even for superusers, and hidden from everyone else."""

from __future__ import annotations

from kruzhok.accounts.tests import fixtures
from kruzhok.accounts.tests.admin_client import add_url, change_url, changelist_url, delete_url
from kruzhok.core.models import AuditLog

full_world = fixtures.full_world  # the shared fixture, used by name


def test_superuser_reads_but_does_not_edit_the_log(client, full_world):
    client.force_login(full_world.superuser)
    assert client.get(changelist_url(AuditLog)).status_code == 200
    page = client.get(change_url(full_world.audit))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(change_url(full_world.audit), {"action": "forged"}).status_code == 403
    assert client.get(add_url(AuditLog)).status_code == 403
    assert client.post(delete_url(full_world.audit), {"post": "yes"}).status_code == 403
    full_world.audit.refresh_from_db()
    assert full_world.audit.action == "test"


def test_org_admin_does_not_see_the_log(client, full_world):
    client.force_login(full_world.org_admin)
    assert client.get(changelist_url(AuditLog)).status_code == 403
