"""The search index follows every write by itself (database triggers) and can be rebuilt on demand."""

from __future__ import annotations

import pytest
from django.db import connection

from kruzhok import factories as f
from kruzhok.catalog.models import Programme
from kruzhok.catalog.search import programme_search_refresh
from kruzhok.catalog.selectors import CatalogFilters, catalog_search
from kruzhok.catalog.tests.search_catalog import catalog_build


@pytest.fixture
def catalog(db):
    return catalog_build()


def found(q: str) -> set[str]:
    return {hit.programme.title for hit in catalog_search(filters=CatalogFilters(q=q), per_page=100).items}


def indexed_ids() -> set[int]:
    column = "programme_id" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM catalog_programme_search")
        return {row[0] for row in cursor.fetchall()}


def test_every_programme_has_a_document_as_soon_as_it_is_written(catalog):
    assert indexed_ids() == set(Programme.objects.values_list("pk", flat=True))
    created = f.ProgrammeFactory(organization=catalog.school, title="Гончарная мастерская")
    assert found("гончарная") == {"Гончарная мастерская"}
    assert created.pk in indexed_ids()


def test_bulk_created_programmes_are_indexed(catalog):
    Programme.objects.bulk_create([
        Programme(organization=catalog.school, direction=catalog.chess.direction, title=f"Каллиграфия {n}",
                  age_from=7, age_to=12, hours=36, status=Programme.Status.PUBLISHED) for n in range(3)])
    assert found("каллиграфия") == {"Каллиграфия 0", "Каллиграфия 1", "Каллиграфия 2"}


def test_editing_a_programme_rewrites_its_document(catalog):
    catalog.chess.title = "Шашки"
    catalog.chess.save()
    assert "Шашки" in found("шашки")
    assert "Шашки" not in found("шахматы")
    catalog.chess.description_en = "Checkers for everyone"
    catalog.chess.save()
    assert "Шашки" in found("checkers")


def test_renaming_the_organization_reaches_its_programmes(catalog):
    assert found("лицей") == set()
    catalog.school.short_name = "Лицей инноваций"
    catalog.school.save()
    assert found("лицей") == {"Шахматы", "Народный танец", "Мир искусства"}


def test_groups_bring_their_settlement_into_the_document(catalog):
    village = f.SettlementFactory(municipality=catalog.town, name="Аксу", is_rural=True)
    village_hall = f.VenueFactory(organization=catalog.school, settlement=village)
    assert found("аксу") == set()
    f.GroupFactory(programme=catalog.folk, venue=village_hall)  # a new group there
    assert found("аксу") == {"Народный танец"}
    catalog.art_group.venue = village_hall  # an existing group moves there
    catalog.art_group.save()
    assert found("аксу") == {"Народный танец", "Мир искусства"}
    village.name = "Ақсу-Аюлы"  # the settlement is renamed
    village.save()
    assert found("аксу аюлы") == {"Народный танец", "Мир искусства"}
    village_hall.settlement = catalog.kokshetau  # the venue turns out to be in another place
    village_hall.save()
    assert found("аюлы") == set()


def test_renaming_a_direction_or_municipality_reaches_the_programmes(catalog):
    direction = catalog.chess.direction
    direction.name_kk = "Спорттық бағыт ерекше"
    direction.save()
    assert "Шахматы" in found("ерекше")
    catalog.town.name = "Степногорск-Зеленый"
    catalog.town.save()
    assert found("зеленый") == {"Шахматы", "Народный танец", "Мир искусства"}


def test_unpublishing_or_closing_hides_at_once(catalog):
    catalog.robotics.status = "archived"
    catalog.robotics.save()
    assert found("робототехника") == set()
    catalog.robotics.status = "published"
    catalog.robotics.save()
    catalog.palace.is_active = False
    catalog.palace.save()
    assert found("робототехника") == set() and found("кокшетау") == set()
    assert found("шахматы") == {"Шахматы"}  # the school's programme; the palace's club is closed with it


def test_deleted_programmes_leave_the_index(catalog):
    programme = f.ProgrammeFactory(organization=catalog.school, title="Временная программа")
    programme.delete()
    assert programme.pk not in indexed_ids()


def test_refresh_rebuilds_all_or_some_documents(catalog):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_programme_search")
    assert found("шахматы") == set()
    programme_search_refresh(programme_ids=[catalog.chess.pk])
    assert found("шахматы") == {"Шахматы"}
    programme_search_refresh()
    assert indexed_ids() == set(Programme.objects.values_list("pk", flat=True))
    assert found("шахматы") == {"Шахматы", "Клуб выходного дня"}
    programme_search_refresh(programme_ids=[])  # nothing to do


@pytest.mark.postgres
def test_truncating_programmes_empties_the_index(catalog):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no pending foreign-key checks
        cursor.execute("TRUNCATE catalog_programme CASCADE")
    assert indexed_ids() == set()


@pytest.mark.postgres
def test_postgres_folds_text_like_python(db):
    from kruzhok.core.text import fold

    samples = ["Көкшетау ҚАЛАСЫ", "Ёлка, ЙОГА & «Грация»", "ӘҒҚҢӨҰҮҺІ әғқңөұүһі", "3D-моделирование — 10+",
               "Café Straße", "  много   пробелов  "]
    with connection.cursor() as cursor:
        for sample in samples:
            cursor.execute("SELECT kruzhok_fold(%s)", [sample])
            assert cursor.fetchone()[0] == fold(sample), sample
