"""A parent registers their own child for an open public event, with the navigator consent; the publication
of the child's name is a separate, optional consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.core.errors import DomainError
from kruzhok.events.models import EventRegistration
from kruzhok.events.services import event_register_child
from kruzhok.people.models import Consent


@pytest.fixture
def open_event(world):
    soon = timezone.localdate() + dt.timedelta(days=14)
    return f.EventFactory(title="День открытых дверей", kind="open_day", municipality=world.a1, organizer=world.org,
                          start_date=soon, registration_open=True)


@pytest.fixture
def consented(world):
    f.ConsentFactory(child=world.child, scope=Consent.Scope.NAVIGATOR)
    return world.child


def test_parent_registers_own_child_through_the_page(client, world, open_event, consented):
    client.force_login(world.parent)
    url = reverse("events:register", args=[open_event.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"child": consented.pk, "publish_name": "on"})
    assert response.status_code == 302
    registration = EventRegistration.objects.get(event=open_event)
    assert (registration.child, registration.registered_by) == (consented, world.parent)
    assert Consent.objects.filter(child=consented, scope=Consent.Scope.PUBLICATION).exists()
    # Twice is refused by the database's unique constraint, with its message.
    with pytest.raises(DomainError):
        event_register_child(actor=world.parent, event=open_event, child=consented)


def test_without_navigator_consent_refused(world, open_event):
    with pytest.raises(DomainError):
        event_register_child(actor=world.parent, event=open_event, child=world.sibling)
    assert not EventRegistration.objects.exists()


def test_someone_elses_child_refused(world, open_event):
    f.ConsentFactory(child=world.other_child, scope=Consent.Scope.NAVIGATOR)
    with pytest.raises(PermissionDenied):
        event_register_child(actor=world.parent, event=open_event, child=world.other_child)
    with pytest.raises(PermissionDenied):
        event_register_child(actor=world.org_admin, event=open_event, child=world.child)


def test_closed_event_refused(world, open_event, consented):
    open_event.registration_open = False
    open_event.save()
    with pytest.raises(DomainError):
        event_register_child(actor=world.parent, event=open_event, child=consented)
    past = f.EventFactory(municipality=world.a1, start_date=dt.date(2020, 1, 1), registration_open=True)
    with pytest.raises(DomainError):
        event_register_child(actor=world.parent, event=past, child=consented)


def test_organizer_sees_the_registration(client, world, open_event, consented):
    event_register_child(actor=world.parent, event=open_event, child=consented)
    client.force_login(world.org_admin)
    page = client.get(reverse("events:org_event", args=[open_event.pk])).content.decode()
    assert consented.surname in page
    client.force_login(world.outsider)
    assert client.get(reverse("events:org_event", args=[open_event.pk])).status_code == 404
