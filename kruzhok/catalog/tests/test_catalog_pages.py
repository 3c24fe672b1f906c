"""The public pages: the catalog with its form, a programme's card, an organization's page — no login, in
Russian and Kazakh, published data only and never a child's."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kruzhok import factories as f
from kruzhok.catalog.tests.search_catalog import catalog_build


@pytest.fixture
def catalog(db):
    built = catalog_build()
    built.pupil = f.ChildFactory(surname="Секретова", name="Алия", municipality=built.city)
    f.EnrollmentFactory(child=built.pupil, group=built.robotics_young)
    teacher = f.TeacherFactory(surname="Абаева", name="Гульнара", patronymic="")
    built.robotics_young.teachers.add(teacher)
    return built


def hits(response) -> list[str]:
    """The programme titles in the results, in order."""
    assert response.status_code == 200
    found = re.findall(r'<h2><a href="/(?:kk/|en/)?programmes/\d+/">(.*?)</a></h2>', response.content.decode())
    return [html_lib.unescape(title) for title in found]


def test_catalog_searches_with_a_misspelled_query(client, catalog):
    response = client.get("/catalog/", {"q": "работотехника"})
    assert hits(response) == ["Робототехника"]
    html = response.content.decode()
    assert f'href="/programmes/{catalog.robotics.pk}/"' in html
    assert f'href="/cabinet/apply/{catalog.robotics_young.pk}/"' in html  # open, with seats
    assert 'value="работотехника"' in html  # the query stays in the box


def test_catalog_filters_from_the_form(client, catalog):
    assert hits(client.get("/catalog/", {"funding": "paid", "weekdays": ["2"], "seats": "on"})) == [
        "Танцевальная студия «Грация»"]
    assert hits(client.get("/catalog/", {"direction": str(catalog.chess.direction_id)})) == ["Шахматы"]
    assert hits(client.get("/catalog/", {"age": "16", "open": "on"})) == []  # chess opens later, the club closed
    response = client.get("/catalog/", {"organization": str(catalog.school.pk)})
    assert hits(response) == ["Мир искусства", "Народный танец", "Шахматы"]
    assert "Организация: Школа № 3" in response.content.decode()


def test_invalid_filters_are_ignored_and_shown(client, catalog):
    response = client.get("/catalog/", {"age": "сто", "q": "шахматы", "page": "x"})
    assert hits(response) == ["Шахматы", "Клуб выходного дня"]
    assert 'class="errorlist' in response.content.decode()


def test_catalog_pages_through_results(client, catalog):
    html = client.get("/catalog/").content.decode()
    assert "Найдено 7 программ" in html and 'rel="next"' not in html


def test_catalog_page_queries_are_constant(client, catalog, django_assert_max_num_queries):
    client.get("/catalog/", {"q": "танец"})  # the form's lists go to the cache
    with CaptureQueriesContext(connection) as few:
        client.get("/catalog/", {"q": "танец"})
    for n in range(8):
        programme = f.ProgrammeFactory(organization=catalog.palace, title=f"Танец {n}")
        f.ScheduleSlotFactory(group=f.GroupFactory(programme=programme, venue=catalog.palace_hall))
    with CaptureQueriesContext(connection) as many:
        client.get("/catalog/", {"q": "танец"})
    assert len(many) == len(few) <= 7
    assert not any('FROM "territory_municipality"' in query["sql"] for query in many.captured_queries)  # cached


def test_the_forms_lists_follow_their_rows(client, catalog):
    def municipalities() -> str:
        found = re.search(r'<select name="municipality".*?</select>', client.get("/catalog/").content.decode(), re.S)
        return found.group(0) if found else ""

    assert catalog.town.name in municipalities()
    catalog.town.name = "Новый Степногорск"
    catalog.town.save()
    assert "Новый Степногорск" in municipalities()
    newcomer = f.OrganizationFactory(municipality=f.MunicipalityFactory(name="Посёлок Новый"))
    assert "Посёлок Новый" in municipalities()
    newcomer.is_active = False
    newcomer.save()
    assert "Посёлок Новый" not in municipalities()  # only municipalities with an active organization


def test_programme_card(client, catalog):
    response = client.get(f"/programmes/{catalog.robotics.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Робототехника", "Собираем и программируем роботов", "Дворец школьников имени Абая",
                 "ул. Абая, 1", "Абаева Гульнара", "Младшая группа", "Старшая группа", "7–14 лет", "15:00–16:30"):
        assert text in html, text
    assert f'href="/cabinet/apply/{catalog.robotics_young.pk}/"' in html
    assert "Встать в очередь" in html  # the older group is full: applying puts the child on the waitlist
    assert "Секретова" not in html and "Алия" not in html  # never a child's data


def test_programme_card_shows_the_price_and_the_opening_time(client, catalog):
    html = client.get(f"/programmes/{catalog.chess.pk}/").content.decode()
    assert "Приём заявок откроется" in html and "/cabinet/apply/" not in html
    assert "120" in html  # the certificate's hour
    html = client.get(f"/programmes/{catalog.dance.pk}/").content.decode()
    assert "3000" in html
    html = client.get(f"/programmes/{catalog.club.pk}/").content.decode()
    assert "Приём заявок закрыт" in html and "/cabinet/apply/" not in html


def test_programme_card_in_kazakh_with_fallback_to_russian(client, catalog):
    html = client.get(f"/kk/programmes/{catalog.dance.pk}/").content.decode()
    assert "«Грация» би студиясы" in html and "Классикалық және заманауи би." in html
    assert "Классический и современный танец." not in html
    html = client.get(f"/kk/programmes/{catalog.robotics.pk}/").content.decode()
    assert "Робототехника" in html and "Собираем и программируем роботов" in html
    html = client.get(f"/programmes/{catalog.dance.pk}/").content.decode()
    assert "Танцевальная студия «Грация»" in html and "би студиясы" not in html


def test_catalog_in_kazakh_shows_kazakh_titles(client, catalog):
    response = client.get("/kk/catalog/", {"q": "грация"})
    assert hits(response) == ["«Грация» би студиясы"]
    assert f'href="/kk/programmes/{catalog.dance.pk}/"' in response.content.decode()


@pytest.mark.parametrize("name", ["draft", "hidden"])
def test_unpublished_programmes_and_closed_organizations_answer_404(client, catalog, name):
    programme = getattr(catalog, name)
    assert client.get(f"/programmes/{programme.pk}/").status_code == 404
    assert client.get(f"/organizations/{catalog.closed.pk}/").status_code == 404
    assert client.get("/programmes/999999/").status_code == 404


def test_organization_page_lists_its_published_programmes(client, catalog):
    response = client.get(f"/organizations/{catalog.palace.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Робототехника", "Танцевальная студия «Грация»", "Клуб выходного дня"):
        assert title in html
    assert "Шахматный клуб (черновик)" not in html and "Шахматы" not in html
    assert "ул. Абая, 1" in html and "Секретова" not in html


def test_pages_need_no_login(client, catalog):
    for url in ("/catalog/", f"/programmes/{catalog.robotics.pk}/", f"/organizations/{catalog.school.pk}/"):
        assert client.get(url).status_code == 200, url


def test_settlements_are_offered_for_the_municipality_chosen(client, catalog):
    def settlements(response) -> str:
        found = re.search(r'<select name="settlement".*?</select>', response.content.decode(), re.S)
        return found.group(0) if found else ""

    response = client.get("/catalog/")
    assert settlements(response) == "" and "когда выбран муниципалитет" in response.content.decode()
    offered = settlements(client.get("/catalog/", {"municipality": str(catalog.town.pk)}))
    assert f'<option value="{catalog.stepnogorsk.pk}">' in offered
    assert f'value="{catalog.kokshetau.pk}"' not in offered
    response = client.get("/catalog/", {"settlement": str(catalog.kokshetau.pk)})  # a link with a settlement only
    assert f'<option value="{catalog.kokshetau.pk}" selected>' in settlements(response)
    assert "Шахматы" not in hits(response) and "Робототехника" in hits(response)
