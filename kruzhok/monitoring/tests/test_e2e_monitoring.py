"""End to end in Debian's chromium: a municipal admin signs in, opens the dashboard on a phone-sized screen, sees
the charts drawn (canvases with painted pixels, including the one htmx loads with the group-fill section) and
follows the coverage figure to the list of children behind it. Screenshots go to ``var/screenshots/``.

Without ``/usr/bin/chromium`` the test is skipped locally and fails in CI (``CI`` set) — the same rule as
``web/tests/test_e2e_playwright.py``, whose browser fixture this test reuses.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kruzhok import factories as f
from kruzhok.web.tests.test_e2e_playwright import SCREENSHOTS, browser, signed_in_page  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ON = dt.date(2025, 10, 15)
PAINTED = """canvas => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) painted++; }
    return canvas.width > 0 && canvas.height > 0 ? painted : 0;
}"""


def test_a_municipal_admin_sees_the_charts_and_follows_a_drilldown(browser, live_server, world):  # noqa: F811
    for age in range(18):
        f.PopulationFactory(municipality=world.a1, year=ON.year, age=age, count=10)
    art = f.GroupFactory(programme=f.ProgrammeFactory(organization=world.org, direction=f.direction("artistic")))
    f.EnrollmentFactory(child=world.unrelated_child, group=art)
    url = live_server.url

    page = signed_in_page(browser, url, world.municipal_admin.email, "/monitoring/")
    page.goto(f"{url}/monitoring/?on={ON.isoformat()}")

    for chart in ("chart-directions-canvas", "chart-types-canvas", "chart-trend-canvas"):
        canvas = page.locator(f"#{chart}[data-drawn='1']")
        canvas.wait_for()
        assert canvas.evaluate(PAINTED) > 100, chart
    page.locator("#section-groups").scroll_into_view_if_needed()  # htmx loads the sections as they are revealed
    fill = page.locator("#section-groups #chart-fill-canvas[data-drawn='1']")
    fill.wait_for()
    assert fill.evaluate(PAINTED) > 100
    assert page.locator("#kpi-children .kpi__value").inner_text() == "2"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "monitoring-dashboard.png"), full_page=True)

    page.locator("#kpi-children .kpi__value").click()
    page.wait_for_url(re.compile(r"/monitoring/list/children/\?"))
    table = page.locator("table#drilldown").inner_text()
    assert world.child.surname in table and world.unrelated_child.surname in table
    assert world.other_child.surname not in table
    page.screenshot(path=str(SCREENSHOTS / "monitoring-children.png"), full_page=True)
