"""End to end in Debian's chromium: a municipal admin opens the duplicate queue, opens a candidate pair, sees
each field's contribution to the match weight, merges keeping record A but taking the patronymic of record B,
and the pair leaves the queue. Screenshots go to ``var/screenshots/``.

Without ``/usr/bin/chromium`` the test is skipped locally and fails in CI (``CI`` set) — the same rule as
``web/tests/test_e2e_playwright.py``, whose browser fixture this test reuses.
"""

from __future__ import annotations

import re

import pytest

from kruzhok.dedup.jobs import search
from kruzhok.dedup.models import Candidate, CandidateStatus, MergeRecord
from kruzhok.dedup.tests.test_search_and_pages import duplicates  # noqa: F401  (fixture)
from kruzhok.people.models import Child
from kruzhok.web.tests.test_e2e_playwright import SCREENSHOTS, browser, signed_in_page  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_municipal_admin_reviews_and_merges_a_pair(browser, live_server, world, duplicates):  # noqa: F811
    _alia, _twin, boy = duplicates
    search(params={"municipality": world.a1.pk})
    pair = Candidate.objects.get(child_a__in=boy)
    a, b = pair.child_a, pair.child_b
    url = live_server.url

    page = signed_in_page(browser, url, world.municipal_admin.email, "/dedup/")
    row = page.locator("tr", has_text="Оспанов")
    assert row.count() == 1
    row.get_by_role("link", name="Сравнить").click()
    page.wait_for_url(re.compile(rf"/dedup/pair/{pair.pk}/$"))

    weights = page.locator("table.dedup-weights").inner_text()
    assert "дата рождения" in weights and "переставлены день и месяц" in weights
    assert "имя" in weights and "совпадает" in weights
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dedup-pair.png"), full_page=True)

    page.locator(f"input[name='survivor'][value='{a.pk}']").check()
    page.locator("input[name='field_patronymic'][value='b']").check()  # the patronymic of record B
    page.get_by_role("button", name="Объединить").click()
    page.wait_for_url(re.compile(r"/dedup/$"))
    assert "Записи объединены" in page.content()
    assert page.locator("tr", has_text="Оспанов").count() == 0
    assert page.locator("tr", has_text="Сейітова").count() > 0  # the other group still waits
    page.screenshot(path=str(SCREENSHOTS / "dedup-queue-after-merge.png"), full_page=True)

    survivor = Child.objects.get(pk=a.pk)
    assert survivor.patronymic == b.patronymic == "Маратұлы"
    assert Child.objects.get(pk=b.pk).merged_into_id == a.pk
    assert Candidate.objects.get(pk=pair.pk).status == CandidateStatus.MERGED
    assert MergeRecord.objects.filter(survivor=a, absorbed=b, actor=world.municipal_admin).exists()
