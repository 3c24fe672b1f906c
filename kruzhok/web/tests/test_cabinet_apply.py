"""Applying from the cabinet: an immediate answer with the queue position, one application per form token,
refusals in the user's language, withdrawal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.catalog.models import Programme
from kruzhok.enrollment.models import Application, ApplicationStatus

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def small_group(world):
    """One seat: the first child is invited, the next waits."""
    return f.GroupFactory(programme=world.programme, capacity=1, name="Малая группа")


def token_of(response) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def apply(client, group, child, token=None):
    token = token or token_of(client.get(f"/cabinet/apply/{group.pk}/"))
    return client.post(f"/cabinet/apply/{group.pk}/", {"child": child.pk, "token": token})


def test_the_page_shows_the_group_its_seats_and_my_children(client, parent, world, small_group):
    client.force_login(parent)
    response = client.get(f"/cabinet/apply/{small_group.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert small_group.programme.title in html and "Малая группа" in html
    assert "1 из 1" in html
    assert str(world.child) in html and str(world.sibling) in html
    assert str(world.other_child) not in html
    assert token_of(response) != token_of(client.get(f"/cabinet/apply/{small_group.pk}/"))


def test_applying_answers_at_once_invited_then_waitlisted_with_the_position(client, parent, world, small_group):
    client.force_login(parent)
    first = apply(client, small_group, world.child)
    invited = Application.objects.get(child=world.child, group=small_group)
    assert first["Location"] == f"/cabinet/applications/{invited.pk}/"
    assert invited.status == S.INVITED
    assert invited.submitted_by == parent
    assert "приглашён" in client.get(first["Location"]).content.decode()

    second = apply(client, small_group, world.sibling)
    waiting = Application.objects.get(child=world.sibling, group=small_group)
    assert waiting.status == S.WAITLISTED
    page = client.get(second["Location"]).content.decode()
    assert "в очереди" in page
    assert "место в очереди: 1" in page
    cabinet = client.get("/cabinet/").content.decode()
    assert "место в очереди: 1" in cabinet
    assert "приглашён" in cabinet


def test_the_family_gets_an_email_about_the_answer(client, parent, world, small_group, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    client.force_login(parent)
    token = token_of(client.get(f"/cabinet/apply/{small_group.pk}/"))
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, small_group, world.child, token)
    assert [m.to for m in mailoutbox] == [["parent@example.org"]]
    assert "приглашён" in mailoutbox[0].subject


def test_a_retried_submit_with_the_same_token_makes_one_application(client, parent, world, small_group):
    client.force_login(parent)
    token = token_of(client.get(f"/cabinet/apply/{small_group.pk}/"))
    first = apply(client, small_group, world.child, token)
    again = apply(client, small_group, world.child, token)
    assert first["Location"] == again["Location"]
    assert Application.objects.filter(group=small_group).count() == 1


def test_a_second_open_application_to_the_same_group_is_refused(client, parent, world, small_group):
    client.force_login(parent)
    apply(client, small_group, world.child)
    response = apply(client, small_group, world.child)
    assert response.status_code == 200
    assert "У ребёнка уже есть незакрытая заявка в эту группу." in response.content.decode()
    assert Application.objects.filter(group=small_group).count() == 1


def test_another_familys_child_cannot_be_applied(client, parent, world, small_group):
    client.force_login(parent)
    response = apply(client, small_group, world.other_child)
    assert response.status_code == 200
    assert "Выберите своего ребёнка из списка." in response.content.decode()
    assert not Application.objects.filter(group=small_group).exists()


def test_a_child_of_the_wrong_age_is_refused_with_the_reason(client, parent, world):
    teens = f.GroupFactory(programme=world.programme, age_from=14, age_to=14)
    client.force_login(parent)
    page = client.get(f"/cabinet/apply/{teens.pk}/")
    assert "Группа для детей 14–14 лет" in page.content.decode()  # shown before submitting, beside the child
    response = client.post(f"/cabinet/apply/{teens.pk}/", {"child": world.child.pk, "token": token_of(page)})
    assert response.status_code == 200
    assert "Группа для детей 14–14 лет" in response.content.decode()
    assert not Application.objects.filter(group=teens).exists()


def test_before_the_window_opens_the_opening_time_is_shown(client, parent, world):
    opens = timezone.now() + dt.timedelta(days=3)
    later = f.GroupFactory(programme=world.programme, enrollment_opens_at=opens)
    client.force_login(parent)
    page = client.get(f"/cabinet/apply/{later.pk}/")
    response = client.post(f"/cabinet/apply/{later.pk}/", {"child": world.child.pk, "token": token_of(page)})
    assert "Приём заявок в эту группу откроется" in response.content.decode()
    assert not Application.objects.filter(group=later).exists()


def test_unpublished_programmes_cannot_be_applied_to(client, parent, world):
    draft = f.GroupFactory(programme=f.ProgrammeFactory(organization=world.org, status=Programme.Status.DRAFT))
    client.force_login(parent)
    assert client.get(f"/cabinet/apply/{draft.pk}/").status_code == 404


def test_withdrawing_frees_the_seat_for_the_next_in_the_queue(client, parent, world, small_group):
    client.force_login(parent)
    apply(client, small_group, world.child)
    apply(client, small_group, world.sibling)
    invited = Application.objects.get(child=world.child, group=small_group)
    response = client.post(f"/cabinet/applications/{invited.pk}/withdraw/")
    assert response["Location"] == f"/cabinet/applications/{invited.pk}/"
    invited.refresh_from_db()
    assert invited.status == S.WITHDRAWN
    assert Application.objects.get(child=world.sibling, group=small_group).status == S.INVITED
    page = client.get(f"/cabinet/applications/{invited.pk}/").content.decode()
    assert "отозвана" in page
    assert "Отозвать заявку" not in page


def test_withdrawing_a_closed_application_is_refused_with_the_reason(client, parent, world, small_group):
    client.force_login(parent)
    apply(client, small_group, world.child)
    application = Application.objects.get(child=world.child, group=small_group)
    client.post(f"/cabinet/applications/{application.pk}/withdraw/")
    response = client.post(f"/cabinet/applications/{application.pk}/withdraw/", follow=True)
    assert "нельзя перевести в статус" in response.content.decode()
    assert application.history.count() == 2
