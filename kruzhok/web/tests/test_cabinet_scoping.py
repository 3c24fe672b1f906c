"""A parent reaches only their own family: another family's child or application is a 404, and a POST on it
changes nothing."""

from __future__ import annotations

import pytest

from kruzhok import factories as f
from kruzhok.enrollment.models import Application, ApplicationStatus
from kruzhok.enrollment.services import application_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_parent(world):
    user = f.UserFactory(email="other-parent@example.org")
    world.other_guardian.user = user
    world.other_guardian.save(update_fields=["user"])
    return user


@pytest.fixture
def their_application(world):
    return application_submit(child=world.other_child, group=world.group, actor=None)


def test_another_familys_application_is_not_found(client, parent, their_application):
    client.force_login(parent)
    assert client.get(f"/cabinet/applications/{their_application.pk}/").status_code == 404


def test_withdrawing_another_familys_application_changes_nothing(client, parent, their_application):
    client.force_login(parent)
    assert client.post(f"/cabinet/applications/{their_application.pk}/withdraw/").status_code == 404
    their_application.refresh_from_db()
    assert their_application.status == ApplicationStatus.INVITED
    assert their_application.history.count() == 1


def test_the_cabinet_lists_only_my_family(client, parent, other_parent, world, their_application):
    client.force_login(parent)
    response = client.get("/cabinet/")
    assert {c.pk for c in response.context["children"]} == {world.child.pk, world.sibling.pk}
    assert {a.pk for a in response.context["applications"]} == {world.application.pk}
    html = response.content.decode()
    assert str(world.other_child) not in html

    client.force_login(other_parent)
    response = client.get("/cabinet/")
    assert {c.pk for c in response.context["children"]} == {world.other_child.pk}
    assert {a.pk for a in response.context["applications"]} == {their_application.pk, world.other_application.pk}


def test_an_org_admin_who_is_also_a_parent_sees_only_their_own_family(client, org_admin, world):
    """The organization's scope covers its pupils; the cabinet still shows the admin's own family only."""
    guardian = f.GuardianFactory(user=org_admin)
    own = f.ChildFactory(municipality=world.a1, name="Свой")
    f.GuardianLinkFactory(guardian=guardian, child=own)
    client.force_login(org_admin)
    response = client.get("/cabinet/")
    assert [c.pk for c in response.context["children"]] == [own.pk]
    assert response.context["applications"] == []
    assert client.get(f"/cabinet/applications/{world.application.pk}/").status_code == 404


def test_applying_with_another_familys_child_creates_nothing(client, parent, world):
    client.force_login(parent)
    response = client.post(f"/cabinet/apply/{world.group.pk}/", {"child": world.other_child.pk,
                                                                 "token": "0" * 32})
    assert response.status_code == 200
    assert not Application.objects.filter(child=world.other_child, group=world.group).exists()


def test_a_token_used_by_another_family_does_not_reveal_their_application(client, parent, other_parent, world):
    """Keys are per user: the same form token from two families makes two applications."""
    token = "a" * 32
    client.force_login(other_parent)
    client.post(f"/cabinet/apply/{world.group.pk}/", {"child": world.other_child.pk, "token": token})
    client.force_login(parent)
    response = client.post(f"/cabinet/apply/{world.group.pk}/", {"child": world.child.pk, "token": token})
    mine = Application.objects.get(child=world.child, group=world.group)
    assert response["Location"] == f"/cabinet/applications/{mine.pk}/"
    assert Application.objects.filter(group=world.group).count() == 3  # the world's, theirs, mine


@pytest.mark.parametrize("url", ["/cabinet/", "/cabinet/children/add/", "/cabinet/apply/1/",
                                 "/cabinet/applications/1/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
