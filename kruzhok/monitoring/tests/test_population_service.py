"""Population entry and import: good rows go in, bad rows come back with their line and column."""

from __future__ import annotations

import pytest

from kruzhok import factories as f
from kruzhok.core.errors import DomainError
from kruzhok.core.models import AuditLog
from kruzhok.monitoring.services import population_set
from kruzhok.territory.models import Population


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
