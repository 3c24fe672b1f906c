"""Typo tolerance, Kazakh/Russian letter variants and ranking — the same cases on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

import pytest

from kruzhok.catalog.selectors import CatalogFilters, catalog_search
from kruzhok.catalog.tests.search_catalog import catalog_build


@pytest.fixture
def catalog(db):
    return catalog_build()


def titles(q: str, **filters) -> list[str]:
    return [hit.programme.title for hit in catalog_search(filters=CatalogFilters(q=q, **filters), per_page=50).items]


@pytest.mark.parametrize(("query", "first"), [
    ("Робототехника", "Робототехника"),
    ("работотехника", "Робототехника"),  # а for о
    ("робот", "Робототехника"),  # the beginning of a word
    ("шахмты", "Шахматы"),  # a letter missing
    ("ШАХМАТЫ", "Шахматы"),
    ("грация", "Танцевальная студия «Грация»"),
    ("елочные игрушки", "Ёлочные игрушки своими руками"),  # е for ё
    ("онер", "Мир искусства"),  # Russian letters for the Kazakh title «Өнер әлемі»
    ("өнер әлемі", "Мир искусства"),
    ("би студиясы", "Танцевальная студия «Грация»"),
])
def test_typos_and_letter_variants_find_the_programme_first(catalog, query, first):
    found = titles(query)
    assert found and found[0] == first, found


@pytest.mark.parametrize("query", ["танци", "танцы", "Танец"])
def test_dance_finds_both_dance_programmes(catalog, query):
    assert {"Танцевальная студия «Грация»", "Народный танец"} <= set(titles(query))


@pytest.mark.parametrize("query", ["Көкшетау", "кокшетау", "КОКШЕТАУ"])
def test_place_names_match_in_either_alphabet(catalog, query):
    found = set(titles(query))
    assert {"Робототехника", "Клуб выходного дня", "Танцевальная студия «Грация»"} <= found
    assert "Шахматы" not in found and "Народный танец" not in found


def test_every_word_must_match(catalog):
    assert titles("шахматы степногорск") == ["Шахматы"]
    assert titles("шахматы кокшетау") == ["Клуб выходного дня"]  # chess in its description, in Kökşetau
    assert titles("робототехника шахматы") == []


def test_common_words_do_not_narrow_the_search(catalog):
    assert titles("кружок робототехники для детей")[0] == "Робототехника"


def test_a_title_match_ranks_above_a_description_match(catalog):
    found = titles("шахматы")
    assert found.index("Шахматы") < found.index("Клуб выходного дня")
    page = catalog_search(filters=CatalogFilters(q="шахматы"))
    ranks = [hit.rank for hit in page.items]
    assert ranks == sorted(ranks, reverse=True) and all(rank is not None for rank in ranks)


def test_unrelated_words_find_nothing(catalog):
    assert titles("виолончель") == []
    assert catalog_search(filters=CatalogFilters(q="виолончель")).total == 0


def test_unpublished_programmes_and_inactive_organizations_stay_hidden(catalog):
    found = titles("шахматы")
    assert "Шахматный клуб (черновик)" not in found
    assert "Шахматы в закрытом центре" not in found
    everything = {hit.programme.pk for hit in catalog_search(filters=CatalogFilters(), per_page=100).items}
    assert catalog.draft.pk not in everything and catalog.hidden.pk not in everything
