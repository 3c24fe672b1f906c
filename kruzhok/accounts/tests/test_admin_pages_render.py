"""Every admin add and change page renders for every role that may open it (fieldsets, inlines, widgets)."""

from __future__ import annotations

import pytest
from django.contrib import admin

from kruzhok.accounts.scoping import scope_queryset
from kruzhok.accounts.tests.admin_client import add_url, change_url
from kruzhok.accounts.tests.expected import case_id
from kruzhok.accounts.tests.test_admin_changelists import REGISTERED

STAFF = ("teacher", "org_admin", "municipal_admin", "regional_admin", "outsider", "superuser")


@pytest.mark.parametrize("model", REGISTERED, ids=case_id)
def test_pages_render(client, full_world, model):
    model_admin = admin.site._registry[model]
    for name in STAFF:
        user = getattr(full_world, name)
        client.force_login(user)
        row = scope_queryset(user, model._default_manager.all()).first()
        if row is not None:
            response = client.get(change_url(row))
            assert response.status_code == 200, name
        request = type("Request", (), {"user": user})()
        may_add = model_admin.has_add_permission(request)
        assert client.get(add_url(model)).status_code == (200 if may_add else 403), name
