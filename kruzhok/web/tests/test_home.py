"""The public front page: languages, the language switch, signing in, published figures only."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kruzhok import factories as f
from kruzhok.catalog.models import Programme

pytestmark = pytest.mark.django_db

HEADINGS = {"ru": "Найдите кружок для ребёнка", "kk": "Балаңызға үйірме табыңыз", "en": "Find a club for your child"}


def test_home_is_russian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "ru"
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert HEADINGS["ru"] in html


@pytest.mark.parametrize(("prefix", "lang"), [("/kk/", "kk"), ("/en/", "en")])
def test_language_prefix_serves_the_translation(client, prefix, lang):
    response = client.get(prefix)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert HEADINGS[lang] in html
    assert HEADINGS["ru"] not in html
    # Links stay in the language: the search goes to this language's catalog, login to this language's page.
    assert f'action="{prefix}catalog/"' in html
    assert f'href="{prefix}login/?next=' in html


@pytest.mark.parametrize("lang", ["kk", "en"])
def test_chosen_language_cookie_sends_unprefixed_pages_to_that_language(client, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get("/?q=robot")
    assert response.status_code == 302
    assert response["Location"] == f"/{lang}/?q=robot"
    assert "Cookie" in response["Vary"]
    assert HEADINGS[lang] in client.get(response["Location"]).content.decode()


def test_cookie_does_not_redirect_posts_or_pages_outside_the_language_prefix(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    assert client.get("/no-such-page/").status_code == 404
    assert client.post("/login/", {"username": "nobody@example.org", "password": "x"}).status_code == 200


def test_russian_cookie_and_browser_language_keep_the_russian_page(client):
    """``/`` is the canonical Russian page: only an explicit choice (the cookie) moves a visitor off it."""
    assert HEADINGS["ru"] in client.get("/", HTTP_ACCEPT_LANGUAGE="kk,en;q=0.8").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get("/")
    assert response.status_code == 200
    assert HEADINGS["ru"] in response.content.decode()


def test_page_offers_the_language_switch_for_the_current_page(client):
    html = client.get("/en/login/?next=/en/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert '<input name="next" type="hidden" value="/en/login/?next=/en/">' in html
    for code in ("ru", "kk", "en"):
        assert f'name="language" value="{code}"' in html


@pytest.mark.parametrize(("next_url", "lang", "target"), [
    ("/", "kk", "/kk/"),
    ("/kk/", "en", "/en/"),
    ("/en/", "ru", "/"),
    ("/login/?next=/", "kk", "/kk/login/?next=/"),
])
def test_switching_language_sets_the_cookie_and_returns_to_the_same_page(client, next_url, lang, target):
    response = client.post("/i18n/setlang/", {"language": lang, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == target
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == lang
    follow = client.get(target)
    assert follow.status_code == 200
    assert follow["Content-Language"] == lang


def test_switching_back_to_russian_stays_on_the_unprefixed_page(client):
    client.post("/i18n/setlang/", {"language": "kk", "next": "/"})
    assert client.get("/")["Location"] == "/kk/"
    client.post("/i18n/setlang/", {"language": "ru", "next": "/kk/"})
    response = client.get("/")
    assert response.status_code == 200
    assert HEADINGS["ru"] in response.content.decode()


@pytest.mark.parametrize(("prefix", "title", "home"), [("", "Вход", "/"), ("/kk", "Кіру", "/kk/"),
                                                       ("/en", "Log in", "/en/")])
def test_login_page_signs_a_user_in(client, prefix, title, home):
    user = f.UserFactory(email="parent@example.org")
    page = client.get(f"{prefix}/login/")
    assert page.status_code == 200
    assert title in page.content.decode()

    response = client.post(f"{prefix}/login/", {"username": "parent@example.org", "password": "secret-pass-123"})
    assert response.status_code == 302
    assert response["Location"] == home
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "parent@example.org" in client.get(home).content.decode()


@pytest.mark.parametrize(("prefix", "error"), [("", "Неверный e-mail или пароль."),
                                               ("/kk", "Электрондық пошта немесе құпиясөз қате."),
                                               ("/en", "Wrong email or password.")])
def test_login_with_a_wrong_password_is_refused_in_the_page_language(client, prefix, error):
    f.UserFactory(email="parent@example.org")
    response = client.post(f"{prefix}/login/", {"username": "parent@example.org", "password": "wrong-pass-123"})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_returns_to_the_page_it_was_opened_from(client):
    f.UserFactory(email="parent@example.org")
    response = client.post("/kk/login/?next=/kk/", {"username": "parent@example.org",
                                                    "password": "secret-pass-123", "next": "/kk/"})
    assert response["Location"] == "/kk/"


def test_home_counts_published_programmes_only(client):
    published = f.ProgrammeFactory(status=Programme.Status.PUBLISHED)
    f.ProgrammeFactory(status=Programme.Status.DRAFT, direction=f.direction("artistic"))
    f.ProgrammeFactory(status=Programme.Status.ARCHIVED, direction=f.direction("sport"))
    closed = f.OrganizationFactory(is_active=False)
    f.ProgrammeFactory(status=Programme.Status.PUBLISHED, organization=closed, direction=f.direction("social"))

    response = client.get("/")
    summary = response.context["summary"]
    assert (summary.programmes, summary.organizations) == (1, 1)
    assert [d.code for d in summary.directions] == [published.direction.code]
    html = response.content.decode()
    assert "1 программа" in html
    assert "Техническая" in html
    assert "Художественная" not in html

    en = client.get("/en/").content.decode()
    assert "1 programme" in en
    assert "Technical" in en


def test_home_without_published_programmes_says_so(client):
    f.ProgrammeFactory(status=Programme.Status.DRAFT)
    html = client.get("/").content.decode()
    assert "Программы ещё не опубликованы." in html


def test_home_query_count_does_not_grow_with_the_catalog(client):
    f.ProgrammeFactory()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    few = queries()
    for code in ("technical", "artistic", "sport", "social", "tourism"):
        organization = f.OrganizationFactory()
        f.ProgrammeFactory.create_batch(3, organization=organization, direction=f.direction(code))
    many = queries()
    assert few == many <= 3
    assert client.get("/").context["summary"].programmes == 16
