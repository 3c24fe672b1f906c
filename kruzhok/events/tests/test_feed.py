"""The iCalendar feed, parsed back by ``icalendar``: public events only, all-day dates, cancellations."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from kruzhok import factories as f
from kruzhok.events.models import Event


def test_feed_parses_back(client, world):
    soon = timezone.localdate() + dt.timedelta(days=10)
    zarnitsa = f.EventFactory(title="Городская военно-спортивная игра «Зарница»", municipality=world.a1,
                              organizer=world.org, start_date=soon, end_date=soon + dt.timedelta(days=2),
                              place="Стадион «Труд»")
    cancelled = f.EventFactory(title="Отменённый концерт", municipality=world.a1, organizer=world.org,
                               start_date=soon, status=Event.Status.CANCELLED)
    f.EventFactory(title="Совещание для своих", municipality=world.a1, start_date=soon, is_public=False)

    response = client.get(reverse("events:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    items = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(items) == {zarnitsa.title, cancelled.title}  # the world's 2025 contest is long past
    item = items[zarnitsa.title]
    assert item.decoded("dtstart") == soon
    assert item.decoded("dtend") == soon + dt.timedelta(days=3)  # exclusive end of an all-day event
    assert str(item["location"]) == "Стадион «Труд»"
    assert str(item["url"]).endswith(reverse("events:detail", args=[zarnitsa.pk]))
    assert str(items[cancelled.title]["status"]) == "CANCELLED"
    assert len({str(e["uid"]) for e in items.values()}) == 2


def test_feed_takes_the_list_filters(client, world):
    soon = timezone.localdate() + dt.timedelta(days=5)
    f.EventFactory(title="Для педагогов", audience="teachers", municipality=world.a1, start_date=soon)
    f.EventFactory(title="Для детей", audience="children", municipality=world.a1, start_date=soon)
    calendar = Calendar.from_ical(client.get(reverse("events:feed"), {"audience": "teachers"}).content)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Для педагогов"]
