"""The menu leads each user to their place: parents to the cabinet, deciding staff to the inbox, visitors to
registration (carrying the page they were going to)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def nav(client, url: str = "/") -> str:
    html = client.get(url).content.decode()
    return html[html.index('<nav class="site-nav"'):html.index("</nav>")]


def test_a_parent_sees_the_cabinet_and_not_the_inbox(client, parent):
    client.force_login(parent)
    menu = nav(client)
    assert 'href="/cabinet/"' in menu
    assert 'href="/inbox/"' not in menu


def test_an_org_admin_sees_the_inbox(client, org_admin):
    client.force_login(org_admin)
    menu = nav(client)
    assert 'href="/inbox/"' in menu
    assert 'href="/cabinet/"' not in menu


def test_a_visitor_is_offered_registration_and_keeps_where_they_were_going(client, world):
    assert 'href="/cabinet/register/"' in nav(client)
    login = nav(client, f"/login/?next=/cabinet/apply/{world.group.pk}/")
    assert f'href="/cabinet/register/?next=/cabinet/apply/{world.group.pk}/"' in login
    assert 'href="/cabinet/register/' not in nav(client, "/cabinet/register/")


def test_menu_links_follow_the_language(client, parent):
    client.force_login(parent)
    assert 'href="/kk/cabinet/"' in nav(client, "/kk/")
