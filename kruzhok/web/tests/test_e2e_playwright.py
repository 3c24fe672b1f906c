"""End to end in Debian's chromium (headless, driven by Playwright; no browser is ever downloaded).

A parent registers, adds a child with the consent, finds «Робототехника» by the misspelled «работотехника»
in the catalog, opens the programme card and applies; the answer is immediate («приглашён»). The
organization's admin, in another browser context, opens the inbox and accepts and enrolls the child; the
parent reloads the cabinet and sees «зачислен». A screenshot of that page goes to ``var/screenshots/``.

Without ``/usr/bin/chromium`` the test is skipped locally and fails in CI (``CI`` set).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from kruzhok import factories as f
from kruzhok.accounts.models import Role
from kruzhok.catalog.search import programme_search_refresh
from kruzhok.enrollment.models import Application, ApplicationStatus, Enrollment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
TIMEOUT_MS = 20_000

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture
def browser(monkeypatch, live_server):
    """Chromium, closed before the live server stops: its kept-alive connections hold the server's request
    threads, and with them their database connections, which would keep the test database busy."""
    if not Path(CHROMIUM).exists():
        if in_ci():
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser test (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing (Debian package «chromium»); the browser test runs where it is installed")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made from the test body
    # (assertions on rows) are synchronous and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # The ORM calls made while Playwright's loop runs open their own connection: close it, or it
            # keeps the test database busy when the session drops it.
            connections.close_all()


@pytest.fixture
def robotics():
    """A published «Робототехника» with one group of two seats at an organization, and that organization's admin."""
    municipality = f.MunicipalityFactory(name="Городской округ Северный")
    organization = f.OrganizationFactory(municipality=municipality, short_name="ДДТ «Северный»")
    programme = f.ProgrammeFactory(organization=organization, title="Робототехника",
                                   description="Конструируем и программируем роботов LEGO.")
    venue = f.VenueFactory(organization=organization)
    group = f.GroupFactory(programme=programme, name="Группа роботов", capacity=2, venue=venue)
    f.ScheduleSlotFactory(group=group, venue=venue)
    f.ProgrammeFactory(organization=organization, title="Шахматы", direction=f.direction("social"))
    programme_search_refresh(programme_ids=[programme.pk])
    admin = f.UserFactory(email="ddt-admin@example.org")
    f.grant(admin, Role.ORG_ADMIN, organization=organization)
    return municipality, group, admin


def new_page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def signed_in_page(browser, base_url: str, email: str, next_path: str, password: str = "secret-pass-123"):
    """A new phone-sized page signed in through the login form, landed on ``next_path``."""
    page = new_page(browser)
    page.goto(f"{base_url}/login/?next={next_path}")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))
    return page


def test_parent_finds_a_programme_by_a_misspelling_applies_and_sees_the_enrollment(browser, live_server, robotics):
    municipality, group, admin = robotics
    url = live_server.url

    # The parent registers and is signed in at once, then adds a child with the consent.
    parent = new_page(browser)
    parent.goto(f"{url}/cabinet/register/")
    parent.fill("#id_email", "mama@example.org")
    parent.fill("#id_password1", "kruzhok-pass-2025")
    parent.fill("#id_password2", "kruzhok-pass-2025")
    parent.fill("#id_surname", "Петрова")
    parent.fill("#id_name", "Анна")
    parent.fill("#id_phone", "+7 900 123-45-67")
    parent.get_by_role("button", name="Зарегистрироваться").click()
    parent.wait_for_url(re.compile(r"/cabinet/children/add/$"))

    with parent.expect_navigation():  # choosing the municipality offers its settlements and schools
        parent.select_option("#id_municipality", str(municipality.pk))
    parent.fill("#id_surname", "Петров")
    parent.fill("#id_name", "Миша")
    parent.select_option("#id_sex", "M")
    parent.fill("#id_birth_date", "2015-03-14")
    parent.select_option("#id_relation", "mother")
    parent.check("#id_consent")
    parent.get_by_role("button", name="Добавить ребёнка").click()
    parent.wait_for_url(re.compile(r"/cabinet/$"))
    assert "Петров Миша" in parent.content()

    # A misspelled search finds the programme; its card links to the group's application form.
    parent.goto(f"{url}/catalog/?q=работотехника")
    parent.get_by_role("link", name="Робототехника", exact=True).first.click()
    parent.wait_for_url(re.compile(rf"/programmes/{group.programme_id}/$"))
    parent.locator(f'a[href="/cabinet/apply/{group.pk}/"]').first.click()
    parent.wait_for_url(re.compile(rf"/cabinet/apply/{group.pk}/$"))
    parent.get_by_label("Петров Миша").check()
    parent.get_by_role("button", name="Подать заявку").click()
    parent.wait_for_url(re.compile(r"/cabinet/applications/\d+/$"))
    assert parent.locator(".status").inner_text().strip().startswith("приглашён")
    application = Application.objects.get(group=group)
    assert application.status == ApplicationStatus.INVITED

    # The organization's admin signs in elsewhere, opens the inbox and accepts and enrolls the child.
    org = signed_in_page(browser, url, admin.email, "/inbox/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    org.screenshot(path=str(SCREENSHOTS / "inbox.png"), full_page=True)
    org.locator(f"#application-{application.pk}").get_by_role("link", name="Петров Миша").click()
    org.wait_for_url(re.compile(rf"/inbox/applications/{application.pk}/$"))
    org.fill("#id_order_number", "128-у")
    org.get_by_role("button", name="Зачислить", exact=True).click()
    org.wait_for_url(re.compile(rf"/inbox/groups/{group.pk}/$"))
    assert "128-у" in org.locator("table.list").inner_text()
    org.screenshot(path=str(SCREENSHOTS / "inbox-roster.png"), full_page=True)
    enrollment = Enrollment.objects.get(application=application)
    assert (enrollment.child.name, enrollment.order_number) == ("Миша", "128-у")

    # The parent reloads the cabinet and sees the new status.
    parent.goto(f"{url}/cabinet/")
    status = parent.locator(f"#application-{application.pk} .current-status").inner_text()
    assert status == "зачислен"
    parent.screenshot(path=str(SCREENSHOTS / "cabinet-enrolled.png"), full_page=True)
