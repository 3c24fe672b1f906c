"""Who may open the monitoring pages, and which territory's figures and rows each role gets.

Municipal admin (A1) — only A1, whatever the URL says; regional admin (region A) — the region and A1, A2; superuser —
everything; parent, teacher, organization admin and an outsider — 403 with a translated message.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kruzhok import factories as f

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 10, 15)
PAGES = [
    "/monitoring/", "/monitoring/quality/", "/monitoring/population/",
    *[f"/monitoring/section/{name}/" for name in ("children", "programmes", "groups", "applications", "cards",
                                                  "staffing")],
    *[f"/monitoring/list/{kind}/" for kind in ("children", "enrollments", "groups", "programmes", "cards",
                                               "applications", "teachers")],
]
FILTERED = [page for page in PAGES if "population" not in page]


@pytest.fixture
def populated(world):
    for municipality in (world.a1, world.a2, world.b1):
        for age in range(18):
            f.PopulationFactory(municipality=municipality, year=ON.year, age=age, count=10)
    return world


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["parent", "teacher", "org_admin", "outsider"])
def test_other_roles_are_refused(client, world, who, url):
    client.force_login(getattr(world, who))
    response = client.get(url)
    assert response.status_code == 403
    assert "Мониторинг доступен муниципальным и региональным администраторам" in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get("/monitoring/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_refusal_is_translated(client, world):
    client.force_login(world.teacher)
    response = client.get("/en/monitoring/")
    assert response.status_code == 403


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["municipal_admin", "regional_admin", "superuser"])
def test_territory_admins_and_superusers_open_every_page(client, populated, who, url):
    client.force_login(getattr(populated, who))
    assert client.get(url, {"on": ON.isoformat()}).status_code == 200


@pytest.mark.parametrize("url", FILTERED)
def test_a_municipal_admin_cannot_name_another_territory_in_the_url(client, populated, url):
    w = populated
    client.force_login(w.municipal_admin)
    for params in ({"municipality": w.a2.pk}, {"municipality": w.b1.pk}, {"region": w.region_a.pk},
                   {"region": w.region_b.pk}, {"municipality": 999999}):
        assert client.get(url, {"on": ON.isoformat(), **params}).status_code == 403, params
    assert client.get(url, {"on": ON.isoformat(), "municipality": w.a1.pk}).status_code == 200


def test_a_regional_admin_reaches_the_region_and_its_municipalities_only(client, populated):
    w = populated
    client.force_login(w.regional_admin)
    for params in ({"region": w.region_a.pk}, {"municipality": w.a1.pk}, {"municipality": w.a2.pk}):
        assert client.get("/monitoring/", {"on": ON.isoformat(), **params}).status_code == 200
    for params in ({"region": w.region_b.pk}, {"municipality": w.b1.pk}):
        assert client.get("/monitoring/", {"on": ON.isoformat(), **params}).status_code == 403


def test_the_municipal_admins_dashboard_shows_their_municipality(client, populated):
    w = populated
    client.force_login(w.municipal_admin)
    response = client.get("/monitoring/", {"on": ON.isoformat()})
    assert response.context["f"].territory == w.a1
    # A1 residents enrolled: ``child`` only (the sibling applied; Ольга attends nothing).
    assert response.context["coverage"].children == 1


def test_a_municipal_admins_drilldown_lists_only_their_children(client, populated):
    w = populated
    client.force_login(w.municipal_admin)
    body = client.get("/monitoring/list/children/", {"on": ON.isoformat()}).content.decode()
    assert w.child.surname in body
    assert w.other_child.surname not in body and w.far_child.surname not in body
    body = client.get("/monitoring/list/enrollments/", {"on": ON.isoformat()}).content.decode()
    assert w.child.surname in body and w.other_child.surname not in body
    # Another municipality's list by URL: refused, not emptied.
    assert client.get("/monitoring/list/children/", {"municipality": w.a2.pk}).status_code == 403


def test_the_regional_admin_sees_the_whole_regions_children(client, populated):
    w = populated
    client.force_login(w.regional_admin)
    body = client.get("/monitoring/list/children/", {"on": ON.isoformat()}).content.decode()
    assert w.child.surname in body and w.other_child.surname in body
    assert w.far_child.surname not in body


def test_no_national_identifier_in_lists(client, populated):
    w = populated
    w.child.national_id_kind, w.child.national_id = "snils", "112-233-445 95"
    w.child.save(update_fields=["national_id_kind", "national_id"])
    client.force_login(w.superuser)
    for fmt in ("", "csv"):
        response = client.get("/monitoring/list/children/", {"on": ON.isoformat(), "format": fmt})
        assert w.child.surname in response.content.decode("utf-8-sig")
        assert "112-233-445 95" not in response.content.decode("utf-8-sig")
        assert "11223344595" not in response.content.decode("utf-8-sig")


def test_unknown_drilldown_parameters_are_not_found(client, populated):
    client.force_login(populated.superuser)
    assert client.get("/monitoring/list/nothing/").status_code == 404
    assert client.get("/monitoring/list/groups/", {"state": "weird"}).status_code == 404
    assert client.get("/monitoring/list/children/", {"by": "shoe_size"}).status_code == 404
    assert client.get("/monitoring/section/nothing/").status_code == 404


@pytest.mark.parametrize("who, shown", [("municipal_admin", True), ("regional_admin", True), ("superuser", True),
                                        ("org_admin", False), ("teacher", False), ("parent", False)])
def test_the_menu_links_monitoring_for_territory_admins_only(client, world, who, shown):
    client.force_login(getattr(world, who))
    body = client.get("/").content.decode()
    assert ('href="/monitoring/"' in body) is shown


def test_a_breakdown_key_of_the_wrong_kind_is_not_found(client, populated):
    client.force_login(populated.superuser)
    assert client.get("/monitoring/list/children/", {"by": "direction", "key": "x"}).status_code == 404
    response = client.get("/monitoring/list/children/", {"by": "municipality", "key": populated.a1.pk})
    assert response.status_code == 200
    assert response.context["subtitle"] == f"Муниципалитет: {populated.a1.name}"


@pytest.mark.parametrize("prefix", ["", "/kk", "/en"])
def test_the_pages_render_in_each_language(client, populated, prefix):
    client.force_login(populated.regional_admin)
    for url in ("/monitoring/", "/monitoring/quality/", "/monitoring/population/", "/monitoring/list/groups/"):
        assert client.get(f"{prefix}{url}", {"on": ON.isoformat()}).status_code == 200, url
