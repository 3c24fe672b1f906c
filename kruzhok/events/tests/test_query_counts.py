"""List pages make the same number of queries for few rows and for many (no query per row)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kruzhok import factories as f
from kruzhok.events.models import EventDate


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_events(world, n):
    soon = timezone.localdate() + dt.timedelta(days=3)
    for _ in range(n):
        event = f.EventFactory(municipality=world.a1, organizer=world.org, start_date=soon,
                               direction=f.direction("technical"))
        for days in (0, 7):  # held by a schedule: the list shows the next of its dates
            EventDate.objects.create(event=event, date=soon + dt.timedelta(days=days))
        participant = f.EventParticipantFactory(event=event, child=world.child, organization=world.org,
                                                mentor=world.teacher_profile)
        f.EventResultFactory(participant=participant)


def test_public_list_and_org_list(client, world):
    add_events(world, 2)
    public_few = queries(client, reverse("events:list"))
    client.force_login(world.org_admin)
    org_few = queries(client, reverse("events:org_events"))
    client.logout()
    add_events(world, 8)
    assert queries(client, reverse("events:list")) == public_few
    client.force_login(world.org_admin)
    assert queries(client, reverse("events:org_events")) == org_few


def test_org_event_page(client, world):
    client.force_login(world.org_admin)
    event = world.event
    url = reverse("events:org_event", args=[event.pk])
    f.EventResultFactory(participant=f.EventParticipantFactory(event=event, child=world.child, organization=world.org,
                                                               mentor=world.teacher_profile))
    few = queries(client, url)
    for _ in range(6):
        f.EventResultFactory(participant=f.EventParticipantFactory(event=event, child=world.sibling,
                                                                   organization=world.org,
                                                                   mentor=world.teacher_profile))
    assert queries(client, url) == few
