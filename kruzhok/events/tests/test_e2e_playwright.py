"""End to end in Debian's chromium: an organization's admin records a contest held on two dates (a mistyped
date first, refused with the line named) with three results on the organization's pages, and the public events
page lists it with its dates (results as counts: no consent to publish names).

Without ``/usr/bin/chromium`` the test is skipped locally and fails in CI (see ``web/tests/test_e2e_playwright``).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.accounts.models import Role
from kruzhok.events.models import Event, EventResult
from kruzhok.web.tests import test_e2e_playwright as e2e

browser = e2e.browser  # the shared fixture, used by name
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def club():
    municipality = f.MunicipalityFactory(name="ГО Карпинск")
    organization = f.OrganizationFactory(municipality=municipality, short_name="ЦДТ Карпинск")
    group = f.GroupFactory(programme=f.ProgrammeFactory(organization=organization), capacity=10)
    pupils = [f.ChildFactory(municipality=municipality, surname=surname, name=name)
              for surname, name in (("Соколова", "Дарья"), ("Волков", "Артём"), ("Зайцева", "Полина"))]
    for child in pupils:
        f.EnrollmentFactory(child=child, group=group)
    mentor = f.TeacherFactory(surname="Кузнецова", name="Ольга")
    f.EmploymentFactory(teacher=mentor, organization=organization)
    admin = f.UserFactory(email="cdt-admin@example.org")
    f.grant(admin, Role.ORG_ADMIN, organization=organization)
    return organization, pupils, mentor, admin


def test_org_admin_records_a_contest_and_the_public_list_shows_it(browser, live_server, club):
    organization, pupils, mentor, admin = club
    url = live_server.url
    today = timezone.localdate()

    org = e2e.signed_in_page(browser, url, admin.email, "/org/events/new/")

    org.fill("#id_title", "Конкурс технического творчества «Шустрики»")
    org.select_option("#id_kind", "contest")
    org.select_option("#id_level", "municipal")
    org.select_option("#id_direction", str(f.direction("technical").pk))
    org.fill("#id_start_date", today.isoformat())
    org.fill("#id_participants_count", "150")
    final = today + dt.timedelta(days=7)
    org.fill("#id_dates", f"{today:%d.%m.%Y} 15:00–17:00 ЦДТ, актовый зал\n31.02.{today.year} финал")
    with org.expect_navigation():
        org.get_by_role("button", name="Сохранить").click()
    assert "Строка 2: нет такой даты" in org.locator("form.form").inner_text()
    org.fill("#id_dates", f"{today:%d.%m.%Y} 15:00–17:00 ЦДТ, актовый зал\n{final:%d.%m.%Y} 11:00 финал")
    org.get_by_role("button", name="Сохранить").click()
    org.wait_for_url(re.compile(r"/org/events/\d+/$"))
    event = Event.objects.get(title__contains="Шустрики")
    assert (event.organizer, event.municipality, event.is_public) == (organization, organization.municipality, True)
    assert (event.start_date, event.end_date, event.dates.count()) == (today, final, 2)

    for child, result in zip(pupils, ("place_1", "place_2", "place_3"), strict=True):
        org.select_option("#id_child", str(child.pk))
        org.select_option("#id_mentor", str(mentor.pk))
        org.select_option("#id_result", result)
        with org.expect_navigation():
            org.locator("#add-participant").get_by_role("button", name="Добавить").click()
        assert child.surname in org.locator("#participants").inner_text()
    assert sorted(EventResult.objects.filter(participant__event=event).values_list("result", flat=True)) == [
        "place_1", "place_2", "place_3"]
    e2e.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    org.screenshot(path=str(e2e.SCREENSHOTS / "org-event-results.png"), full_page=True)

    public = e2e.new_page(browser)  # a visitor, on a phone
    public.goto(f"{url}/events/")
    assert "дат по графику: 2" in public.locator("main").inner_text()
    public.get_by_role("link", name="Конкурс технического творчества «Шустрики»").click()
    public.wait_for_url(re.compile(rf"/events/{event.pk}/$"))
    text = public.locator("main").inner_text()
    assert "I место — 1" in text and "III место — 1" in text and "150" in text
    assert "ЦДТ, актовый зал" in text and "15:00–17:00" in text and "финал" in text
    assert not any(child.surname in text for child in pupils)  # no consent to publish: counts only
    public.screenshot(path=str(e2e.SCREENSHOTS / "public-event.png"), full_page=True)
