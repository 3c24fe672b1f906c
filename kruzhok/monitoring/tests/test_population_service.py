"""Population entry and import: good rows go in, bad rows come back with their line and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from kruzhok import factories as f
from kruzhok.core.errors import DomainError
from kruzhok.core.models import AuditLog
from kruzhok.monitoring.services import population_import, population_set
from kruzhok.territory.models import Municipality, Population


@pytest.fixture
def towns(db):
    region = f.RegionFactory(code="PS")
    return (f.MunicipalityFactory(region=region, code="T1", name="Первый"),
            f.MunicipalityFactory(region=region, code="T2", name="Второй"))


def test_population_set_writes_updates_and_deletes(towns):
    town = towns[0]
    assert population_set(municipality=town, year=2025, counts={5: 100, 6: 110}, actor=None) == 2
    assert population_set(municipality=town, year=2025, counts={5: 90, 6: None}, actor=None) == 2
    assert dict(Population.objects.filter(municipality=town).values_list("age", "count")) == {5: 90}
    assert AuditLog.objects.filter(action="population.set", object_id=str(town.pk)).count() == 2


def test_population_set_refuses_bad_values_and_writes_nothing(towns):
    with pytest.raises(DomainError):
        population_set(municipality=towns[0], year=2025, counts={5: 10, 18: 3}, actor=None)
    with pytest.raises(DomainError):
        population_set(municipality=towns[0], year=2025, counts={5: -1}, actor=None)
    assert not Population.objects.exists()


def test_csv_import_reports_bad_rows_and_loads_good_ones(towns):
    text = ("муниципалитет;год;возраст;число детей\n"
            "T1;2025;5;100\n"
            "Второй;2025;6;120\n"
            "Нигде;2025;7;10\n"
            "T1;2025;19;10\n"
            "T1;1990;8;abc\n"
            "T1;2025;5;101\n"
            "\n")
    result = population_import(file=io.BytesIO(text.encode()), filename="pop.csv", actor=None)
    assert result.imported == 2
    assert [(e.row, e.column) for e in result.errors] == [
        (4, "municipality"), (5, "age"), (6, "count"), (6, "year"), (7, "")]
    assert Population.objects.get(municipality=towns[1], age=6).count == 120
    assert Population.objects.get(municipality=towns[0], age=5).count == 100


def test_xlsx_import_and_allowed_municipalities(towns):
    book = Workbook()
    sheet = book.active
    sheet.append(["municipality", "year", "age", "count"])
    sheet.append(["T1", 2025, 5, 100])
    sheet.append(["T2", 2025, 5, 200])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = population_import(file=buffer, filename="pop.xlsx", actor=None,
                               municipalities=Municipality.objects.filter(pk=towns[0].pk))
    assert result.imported == 1
    assert [(e.row, e.column) for e in result.errors] == [(3, "municipality")]
    assert not Population.objects.filter(municipality=towns[1]).exists()


def test_unreadable_file(towns):
    result = population_import(file=io.BytesIO(b"\x00\x01garbage"), filename="pop.xlsx", actor=None)
    assert result.imported == 0 and result.errors[0].row == 0
