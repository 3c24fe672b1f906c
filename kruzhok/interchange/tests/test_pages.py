"""The import pages end to end: upload, mapping, preview, import, result, error report; and who may use them."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kruzhok.core.models import Job
from kruzhok.interchange.sample import CHILD_HEADER
from kruzhok.interchange.tests.test_import import table, town, xlsx_file  # noqa: F401
from kruzhok.people.models import Child


def test_upload_map_preview_import(town, client, django_capture_on_commit_callbacks):  # noqa: F811
    client.force_login(town.municipal_admin)
    rows = table(town, 20)
    rows[2][3] = "32.13.2015"
    upload = SimpleUploadedFile("дети.xlsx", xlsx_file(CHILD_HEADER, rows))
    resp = client.post("/interchange/", {"registry": "children", "file": upload})
    assert resp.status_code == 302 and "/map/" in resp["Location"]
    page = client.get(resp["Location"])
    assert page.status_code == 200 and "selected" in page.content.decode()
    form = {f"col{i}": key for i, key in enumerate(
        ["surname", "name", "patronymic", "birth_date", "sex", "national_id_kind", "national_id", "municipality",
         "categories", "guardian_surname", "guardian_name", "guardian_phone", "guardian_relation", "organization",
         "programme", "group", "start_date"])}
    before = Child.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(resp["Location"], form)
    assert resp.status_code == 302
    preview = client.get(resp["Location"]).content.decode()
    assert 'id="count-created">19<' in preview and 'id="count-refused">1<' in preview
    assert "Не дата: «32.13.2015»" in preview and "core/_job" not in preview
    assert Child.objects.count() == before
    job = Job.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/interchange/jobs/{job.pk}/run/")
    done = client.get(resp["Location"]).content.decode()
    assert 'id="count-created">19<' in done
    assert Child.objects.count() == before + 19
    report = client.get(f"/interchange/jobs/{job.pk + 1}/errors.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(report.content)).active
    assert [c.value for c in ws[2]] == [4, "Дата рождения", "Не дата: «32.13.2015» (ожидается ДД.ММ.ГГГГ)."]


@pytest.mark.parametrize("who, status", [("parent", 403), ("teacher", 403), ("org_admin", 200),
                                         ("municipal_admin", 200)])
def test_who_may_import(town, client, who, status):  # noqa: F811
    client.force_login(getattr(town, who))
    assert client.get("/interchange/").status_code == status


def test_someone_elses_job_is_hidden(town, client, django_capture_on_commit_callbacks):  # noqa: F811
    from kruzhok.interchange.importer import import_start, upload_save

    name = upload_save(xlsx_file(CHILD_HEADER, table(town, 2)), suffix=".xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_start(user=town.municipal_admin, file=name, registry="children")
    client.force_login(town.regional_admin)
    assert client.get(f"/interchange/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/interchange/jobs/{job.pk}/errors.csv").status_code == 404
    assert client.get(f"/interchange/map/{name}/children/").status_code == 404


def test_roster_export_from_the_inbox(world, client):
    world.child.national_id_kind, world.child.national_id = "snils", "11223344595"
    world.child.save()
    client.force_login(world.teacher)
    resp = client.get(f"/interchange/roster/{world.group.pk}.xlsx")
    assert resp.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    values = [c.value for c in ws[2]]
    assert values[0] == world.child.surname and "11223344595" not in values
    assert client.get(f"/interchange/roster/{world.far_group.pk}.xlsx").status_code == 404
    client.force_login(world.municipal_admin)
    ws = openpyxl.load_workbook(io.BytesIO(client.get(f"/interchange/roster/{world.group.pk}.xlsx").content)).active
    assert [c.value for c in ws[2]][-1] == "11223344595"
    client.force_login(world.parent)
    assert client.get(f"/interchange/roster/{world.group.pk}.xlsx").status_code == 404
    assert client.get("/interchange/export/groups.xlsx").status_code == 403
