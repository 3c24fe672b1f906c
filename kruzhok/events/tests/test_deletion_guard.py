"""An event with participants, results or registrations is never deleted, only cancelled."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from kruzhok import factories as f
from kruzhok.accounts.tests.admin_client import delete_url
from kruzhok.core.errors import DomainError
from kruzhok.events.models import Event, EventResult
from kruzhok.events.services import event_cancel, event_delete


@pytest.fixture
def contest(world):
    event = f.EventFactory(municipality=world.a1, organizer=world.org)
    participant = f.EventParticipantFactory(event=event, child=world.child, organization=world.org)
    f.EventResultFactory(participant=participant)
    return event


def test_service_refuses_and_cancel_keeps_everything(contest, org_admin):
    with pytest.raises(DomainError):
        event_delete(actor=org_admin, event=contest)
    assert Event.objects.filter(pk=contest.pk).exists()
    event_cancel(actor=org_admin, event=contest, reason="Карантин")
    contest.refresh_from_db()
    assert contest.status == Event.Status.CANCELLED
    assert EventResult.objects.filter(participant__event=contest).count() == 1


def test_database_protects_participants_and_results(contest):
    with pytest.raises(ProtectedError):
        contest.delete()
    with pytest.raises(ProtectedError):
        contest.participants.get().delete()


def test_an_aggregate_count_alone_also_blocks_deletion(world, org_admin):
    event = f.EventFactory(municipality=world.a1, organizer=world.org, participants_count=1000,
                           participants_count_is_lower_bound=True)
    with pytest.raises(DomainError):
        event_delete(actor=org_admin, event=event)


def test_an_empty_event_recorded_by_mistake_is_deleted(world, org_admin):
    event = f.EventFactory(municipality=world.a1, organizer=world.org)
    event_delete(actor=org_admin, event=event)
    assert not Event.objects.filter(pk=event.pk).exists()


def test_admin_offers_no_delete(client, contest, org_admin):
    client.force_login(org_admin)
    assert client.get(delete_url(contest)).status_code == 403
    assert client.post(delete_url(contest), {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=contest.pk).exists()
    page = client.get(reverse("admin:events_event_changelist")).content.decode()
    assert "delete_selected" not in page


def test_organization_page_offers_cancel_not_delete(client, contest, org_admin):
    client.force_login(org_admin)
    page = client.get(reverse("events:org_event", args=[contest.pk])).content.decode()
    assert reverse("events:org_event_delete", args=[contest.pk]) not in page
    response = client.post(reverse("events:org_event_delete", args=[contest.pk]))
    assert response.status_code == 302
    assert Event.objects.filter(pk=contest.pk).exists()
    client.post(reverse("events:org_event_cancel", args=[contest.pk]))
    contest.refresh_from_db()
    assert contest.status == Event.Status.CANCELLED
