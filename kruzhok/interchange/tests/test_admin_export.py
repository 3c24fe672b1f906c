"""The export action of every scoped admin list: real files, the user's rows only, national ids by role."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.contrib import admin

from kruzhok.accounts.admin_scoping import ScopedAdmin
from kruzhok.people.models import Child

SCOPED = sorted(((m, a) for m, a in admin.site._registry.items() if isinstance(a, ScopedAdmin)),
                key=lambda pair: pair[0]._meta.label)


def _export(client, model, ids, fmt="xlsx"):
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return client.post(url, {"action": f"export_{fmt}", "_selected_action": [str(i) for i in ids],
                             "select_across": "0", "index": "0"})


@pytest.mark.parametrize("model", [m for m, _a in SCOPED], ids=lambda m: m._meta.label)
def test_every_scoped_list_exports(world, client, model):
    client.force_login(world.superuser)
    ids = list(model._default_manager.values_list("pk", flat=True)[:20])
    if not ids:
        pytest.skip("no rows of this model in the world fixture")
    resp = _export(client, model, ids)
    assert resp.status_code == 200, resp.content[:300]
    ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    assert ws.max_row == len(ids) + 1


def test_export_is_scoped_and_hides_national_ids(world, client):
    world.child.national_id_kind, world.child.national_id = "snils", "11223344595"
    world.child.save()
    every = list(Child.objects.values_list("pk", flat=True))
    client.force_login(world.org_admin)
    resp = _export(client, Child, every, fmt="csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";"))
    assert "11223344595" not in resp.content.decode("utf-8-sig")
    assert len(rows) - 1 == Child.objects.filter(enrollments__group__programme__organization=world.org).count() \
        or len(rows) - 1 < len(every)
    client.force_login(world.municipal_admin)
    resp = _export(client, Child, every, fmt="csv")
    assert "11223344595" in resp.content.decode("utf-8-sig")
    assert str(world.far_child) not in resp.content.decode("utf-8-sig")
