"""Every catalog filter, alone and combined, with and without query text; the groups listed are those that pass."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.catalog.selectors import CatalogFilters, catalog_search
from kruzhok.catalog.tests.search_catalog import catalog_build


@pytest.fixture
def catalog(db):
    return catalog_build()


def found(**filters) -> set[str]:
    page = catalog_search(filters=CatalogFilters(**filters), per_page=100)
    assert page.total == len(page.items)
    return {hit.programme.title for hit in page.items}


ALL = {"Робототехника", "Шахматы", "Танцевальная студия «Грация»", "Народный танец", "Клуб выходного дня",
       "Мир искусства", "Ёлочные игрушки своими руками"}


def test_no_filters_lists_every_public_programme_by_title(catalog):
    page = catalog_search(filters=CatalogFilters(), per_page=100)
    assert [hit.programme.title for hit in page.items] == sorted(ALL)
    assert all(hit.rank is None for hit in page.items)


def test_direction_by_id_and_by_code(catalog):
    assert found(direction_id=catalog.chess.direction_id) == {"Шахматы"}
    assert found(direction_code="artistic") == {"Танцевальная студия «Грация»", "Народный танец", "Мир искусства",
                                                "Ёлочные игрушки своими руками"}


def test_age_keeps_programmes_with_a_group_for_it_and_lists_only_those_groups(catalog):
    assert found(age=5) == {"Танцевальная студия «Грация»"}
    assert found(age=16) == {"Шахматы", "Клуб выходного дня"}
    page = catalog_search(filters=CatalogFilters(age=12, q="робототехника"))
    assert [g.name for g in page.items[0].groups] == ["Старшая группа"]


def test_birth_date_counts_as_the_age_today(catalog):
    today = timezone.localdate()
    born = today.replace(year=today.year - 5, day=min(today.day, 28)) - dt.timedelta(days=1)
    assert found(birth_date=born) == {"Танцевальная студия «Грация»"}


def test_municipality_and_settlement(catalog):
    stepnogorsk = {"Шахматы", "Народный танец", "Мир искусства"}
    assert found(municipality_id=catalog.town.pk) == stepnogorsk
    assert found(municipality_id=catalog.city.pk) == ALL - stepnogorsk
    # a settlement is where a group meets: the remote folk-dance group has no venue
    assert found(settlement_id=catalog.stepnogorsk.pk) == {"Шахматы", "Мир искусства"}


def test_organization_level_funding_form_and_adapted(catalog):
    assert found(organization_id=catalog.school.pk) == {"Шахматы", "Народный танец", "Мир искусства"}
    assert found(level="advanced") == {"Шахматы"}
    assert found(funding="paid") == {"Танцевальная студия «Грация»"}
    assert found(funding="certificate") == {"Шахматы"}
    assert found(form="remote") == {"Народный танец"}
    assert found(adapted_ovz=True) == {"Шахматы"}
    assert "Шахматы" not in found(adapted_ovz=False)


def test_weekdays_and_time_window(catalog):
    assert found(weekdays=(6, 7)) == {"Шахматы", "Клуб выходного дня"}
    assert found(weekdays=(3,)) == {"Робототехника"}
    assert found(time_from=dt.time(17, 0)) == {"Робототехника", "Танцевальная студия «Грация»"}
    assert found(weekdays=(1,), time_to=dt.time(16, 0)) == set()  # Monday's class ends at 16:30
    page = catalog_search(filters=CatalogFilters(q="робототехника", weekdays=(3,)))
    assert [g.name for g in page.items[0].groups] == ["Старшая группа"]


def test_seats_available_now(catalog):
    assert "Робототехника" in found(seats_available=True)  # the younger group has seats
    assert found(seats_available=True, age=12, q="робототехника") == set()  # the older group is full
    f.ApplicationFactory(group=catalog.art_group, status="invited")  # an invitation holds a seat too
    catalog.art_group.capacity = 1
    catalog.art_group.save()
    assert "Мир искусства" not in found(seats_available=True)


def test_enrollment_open_now(catalog):
    opened = found(enrollment_open=True)
    assert "Шахматы" not in opened  # opens in three days
    assert "Клуб выходного дня" not in opened  # closed yesterday
    assert "Робототехника" in opened
    later = timezone.now() + dt.timedelta(days=4)
    page = catalog_search(filters=CatalogFilters(enrollment_open=True), now=later)
    assert "Шахматы" in {hit.programme.title for hit in page.items}


def test_filters_combine_with_query_text(catalog):
    assert found(q="шахматы", municipality_id=catalog.town.pk) == {"Шахматы"}
    assert found(q="танец", form="remote") == {"Народный танец"}
    assert found(q="шахматы", age=9, weekdays=(7,)) == {"Клуб выходного дня"}
    assert found(q="шахматы", funding="paid") == set()


def test_groups_listed_without_filters_are_all_active_groups(catalog):
    catalog.robotics_old.is_active = False
    catalog.robotics_old.save()
    page = catalog_search(filters=CatalogFilters(q="робототехника"))
    assert [g.name for g in page.items[0].groups] == ["Младшая группа"]
    assert page.items[0].groups[0].seats_left == catalog.robotics_young.capacity


FILTERS = [
    {"direction_id": "chess.direction_id"}, {"direction_code": "artistic"}, {"age": 9}, {"age": 16},
    {"municipality_id": "town.pk"}, {"municipality_id": "city.pk"}, {"settlement_id": "stepnogorsk.pk"},
    {"organization_id": "school.pk"}, {"level": "advanced"}, {"funding": "paid"}, {"form": "remote"},
    {"adapted_ovz": True}, {"weekdays": (6, 7)}, {"time_from": dt.time(17, 0)}, {"seats_available": True},
    {"enrollment_open": True}, {"age": 9, "weekdays": (7,), "enrollment_open": False, "municipality_id": "city.pk"},
]


@pytest.mark.parametrize("query", ["шахматы", "танци", "кокшетау", "степногорск"])
@pytest.mark.parametrize("given", FILTERS)
def test_query_text_and_filters_mean_the_same_together_as_apart(catalog, query, given):
    """With query text the filters run as SQL on the search index (PostgreSQL): the same programmes."""
    def value(v):
        if isinstance(v, str) and "." in v:
            name, attribute = v.split(".")
            return getattr(getattr(catalog, name), attribute)
        return v

    filters = {key: value(v) for key, v in given.items()}
    assert found(q=query, **filters) == found(q=query) & found(**filters)
