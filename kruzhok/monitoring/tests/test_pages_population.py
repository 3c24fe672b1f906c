"""The population page: a grid per municipality and year (an empty cell removes that age), an XLSX/CSV import that
loads the good rows and lists the bad ones by row and column — each only for the user's own municipalities."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kruzhok import factories as f
from kruzhok.core.models import AuditLog
from kruzhok.territory.models import Population

pytestmark = pytest.mark.django_db

YEAR = 2025


def grid(municipality, **ages) -> dict:
    """The grid's POST: ``age_5=40`` fills the cell of five-year-olds; the other cells are empty."""
    data = {"municipality": municipality.pk, "year": YEAR, "save": "1"}
    data.update({f"age_{age}": "" for age in range(18)})
    data.update({name: str(n) for name, n in ages.items()})
    return data


def cells(municipality) -> dict[int, int]:
    return dict(Population.objects.filter(municipality=municipality, year=YEAR).values_list("age", "count"))


def test_the_grid_saves_the_year_and_an_empty_cell_removes_an_age(client, world):
    client.force_login(world.municipal_admin)
    f.PopulationFactory(municipality=world.a1, year=YEAR, age=3, count=7)
    url = f"/monitoring/population/?municipality={world.a1.pk}&year={YEAR}"
    page = client.get(url)
    assert page.status_code == 200 and page.context["grid"]["age_3"].value() == 7
    response = client.post(url, grid(world.a1, age_5=40, age_6=41))
    assert response.status_code == 302
    assert cells(world.a1) == {5: 40, 6: 41}
    assert AuditLog.objects.filter(action="population.set").exists()
    assert "value=\"40\"" in client.get(url).content.decode()


def test_a_bad_number_is_shown_next_to_its_cell_and_nothing_is_saved(client, world):
    client.force_login(world.municipal_admin)
    url = f"/monitoring/population/?municipality={world.a1.pk}&year={YEAR}"
    response = client.post(url, grid(world.a1, age_5=-3, age_6=10))
    assert response.status_code == 200
    assert response.context["grid"].errors["age_5"]
    assert cells(world.a1) == {}


def test_another_municipality_is_refused_in_the_grid_and_the_url(client, world):
    client.force_login(world.municipal_admin)
    assert client.get(f"/monitoring/population/?municipality={world.a2.pk}&year={YEAR}").status_code == 403
    response = client.post(f"/monitoring/population/?municipality={world.a1.pk}&year={YEAR}",
                           grid(world.a2, age_5=40))
    assert response.status_code == 403
    assert cells(world.a2) == {}


def test_a_regional_admin_enters_any_municipality_of_the_region(client, world):
    client.force_login(world.regional_admin)
    url = f"/monitoring/population/?municipality={world.a2.pk}&year={YEAR}"
    assert client.post(url, grid(world.a2, age_10=12)).status_code == 302
    assert cells(world.a2) == {10: 12}
    assert client.get(f"/monitoring/population/?municipality={world.b1.pk}&year={YEAR}").status_code == 403


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_page_sends_a_file_to_the_import_of_the_population_registry(client, world):
    client.force_login(world.municipal_admin)
    page = client.get("/monitoring/population/").content.decode()
    assert 'action="/interchange/"' in page and 'name="registry" value="population"' in page
    content = xlsx([["муниципалитет", "год", "возраст", "число детей"], [world.a1.code, YEAR, 5, 100]])
    response = client.post("/interchange/", {"registry": "population",
                                             "file": SimpleUploadedFile("population.xlsx", content)})
    assert response.status_code == 302 and "/population/" in response["Location"]


def test_the_population_import_loads_good_rows_and_reports_bad_ones_within_the_admins_territory(world):
    """The one population import (interchange): good rows go in, a bad count and another municipality are refused."""
    from kruzhok.core.jobs import job_run
    from kruzhok.interchange.importer import import_start, upload_save

    content = xlsx([["Муниципалитет", "Год", "Возраст, полных лет", "Число детей"],
                    [world.a1.code, YEAR, 5, 100],
                    [world.a1.code, YEAR, 6, "много"],
                    [world.a2.code, YEAR, 7, 50],  # not this admin's municipality
                    [world.a1.name, YEAR, 8, 90]])
    job = import_start(user=world.municipal_admin, file=upload_save(content, suffix=".xlsx"), registry="population",
                       dry_run=False)
    job_run(job.pk)
    job.refresh_from_db()
    assert cells(world.a1) == {5: 100, 8: 90}
    assert cells(world.a2) == {}
    refused_rows = {error["row"] for error in job.result["errors"]}
    assert refused_rows == {3, 4}


def test_the_summary_shows_which_municipalities_lack_a_population(client, world):
    client.force_login(world.regional_admin)
    for age in range(18):
        f.PopulationFactory(municipality=world.a1, year=YEAR, age=age, count=10)
    response = client.get(f"/monitoring/population/?municipality={world.a1.pk}&year={YEAR}")
    summary = {row["municipality"].pk: (row["ages"], row["band"]) for row in response.context["summary"]}
    assert summary == {world.a1.pk: (18, 130), world.a2.pk: (0, None)}
