"""Results come 20 to a page, in a stable order, with a constant number of queries whatever the page holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kruzhok import factories as f
from kruzhok.catalog.selectors import PER_PAGE, CatalogFilters, catalog_search


def programmes(count: int, organization, title: str = "Гимнастика") -> list:
    created = []
    for n in range(count):
        programme = f.ProgrammeFactory(organization=organization, title=f"{title} {n:02d}")
        for name in ("А", "Б"):
            group = f.GroupFactory(programme=programme, name=name, venue=f.VenueFactory(organization=organization))
            f.ScheduleSlotFactory(group=group, weekday=2)
        created.append(programme)
    return created


@pytest.fixture
def organization(db):
    return f.OrganizationFactory()


@pytest.mark.parametrize("q", ["", "гимнастика", "гимнастка"])
def test_pages_cover_every_result_once(organization, q):
    made = programmes(45, organization)
    seen = []
    for number in (1, 2, 3):
        page = catalog_search(filters=CatalogFilters(q=q), page=number)
        assert (page.total, page.num_pages, page.page) == (45, 3, number)
        assert len(page.items) == (PER_PAGE if number < 3 else 5)
        assert page.has_previous is (number > 1) and page.has_next is (number < 3)
        seen += [hit.programme.pk for hit in page.items]
    assert sorted(seen) == sorted(p.pk for p in made)
    if not q:
        assert [f"Гимнастика {n:02d}" for n in range(PER_PAGE)] == [
            hit.programme.title for hit in catalog_search(filters=CatalogFilters()).items]


@pytest.mark.parametrize("q", ["", "гимнастика"])
def test_a_page_past_the_end_gives_the_last_page(organization, q):
    programmes(25, organization)
    page = catalog_search(filters=CatalogFilters(q=q), page=9)
    assert page.page == 2 and len(page.items) == 5 and page.total == 25


def test_without_query_text_counting_stops_at_a_limit(organization, monkeypatch):
    monkeypatch.setattr("kruzhok.catalog.selectors.MAX_COUNTED", 30)
    programmes(45, organization)
    page = catalog_search(filters=CatalogFilters(), page=9)
    assert (page.total, page.total_is_more, page.num_pages, page.page) == (30, True, 2, 2)
    assert len(page.items) == 10  # the pages go as far as the counting: "more than 30, refine the search"
    exact = catalog_search(filters=CatalogFilters(q="гимнастика"))
    assert (exact.total, exact.total_is_more) == (45, False)
    few = catalog_search(filters=CatalogFilters(age=9, weekdays=(2,)))
    assert (few.total, few.total_is_more) == (30, True)
    further = catalog_search(filters=CatalogFilters(), page=3, count_limit=40)
    assert (further.total, further.total_is_more, further.page, len(further.items)) == (40, True, 2, 20)


def test_the_page_says_more_than_the_limit_and_the_api_counts_further(organization, monkeypatch, client):
    monkeypatch.setattr("kruzhok.catalog.selectors.MAX_COUNTED", 30)
    monkeypatch.setattr("kruzhok.catalog.api.API_COUNTED", 40)
    programmes(45, organization)
    page = client.get("/catalog/", {"age": 9})
    assert page.context["results"].total_is_more and "Найдено больше 30 программ — уточните поиск" in page.text
    assert client.get("/catalog/", {"q": "гимнастика"}).context["results"].total == 45
    assert client.get("/api/catalog/programmes", {"age": 9}).json()["count"] == 40


def test_no_results_is_one_empty_page(organization):
    page = catalog_search(filters=CatalogFilters(q="виолончель"), page=3)
    assert (page.total, page.items, page.num_pages) == (0, [], 1)


@pytest.mark.parametrize("filters", [
    CatalogFilters(),
    CatalogFilters(q="гимнастика"),
    CatalogFilters(q="гимнастка", age=9, weekdays=(2,), seats_available=True, enrollment_open=True),
])
def test_queries_do_not_grow_with_the_page(organization, filters):
    programmes(3, organization)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = catalog_search(filters=filters)
            for hit in page.items:  # everything the results page shows
                for group in hit.groups:
                    str(group.venue.settlement), group.seats_left, [str(slot) for slot in group.slots]
                str(hit.programme.organization.municipality), str(hit.programme.direction)
        return len(queries)

    few = count()
    programmes(30, organization, title="Гимнастика ещё")
    assert count() == few
    # PostgreSQL: the word look-up and the search, or the ids; then the list's three statements, sent at once.
    assert few == ((3 if filters.q else 2) if connection.vendor == "postgresql" else 4)
