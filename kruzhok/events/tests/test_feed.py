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


def test_scheduled_event_is_one_vevent_per_date(client, world, settings):
    settings.TIME_ZONE = "Asia/Yekaterinburg"  # UTC+5
    from kruzhok.events.schedule import Session
    from kruzhok.events.services import event_create

    soon = timezone.localdate() + dt.timedelta(days=10)
    days = [soon, soon + dt.timedelta(days=14), soon + dt.timedelta(days=28)]
    event = event_create(actor=world.org_admin, title="Турнир «РобоЛига»", kind="competition", level="municipal",
                         organizer=world.org, place="Детский технопарк", schedule_note="три этапа", dates=[
                             Session(days[0], dt.time(15), dt.time(17), "зал 1"),
                             Session(days[1], dt.time(15)),
                             Session(days[2])])

    calendar = Calendar.from_ical(client.get(reverse("events:feed")).content)
    items = sorted((e for e in calendar.walk("VEVENT") if str(e["summary"]) == event.title),
                   key=lambda e: str(e["dtstart"].to_ical()))
    assert len(items) == 3
    assert len({str(e["uid"]) for e in items}) == 3
    first, second, third = items
    utc = dt.UTC
    assert first.decoded("dtstart") == dt.datetime.combine(days[0], dt.time(10), tzinfo=utc)  # 15:00 at UTC+5
    assert first.decoded("dtend") == dt.datetime.combine(days[0], dt.time(12), tzinfo=utc)
    assert str(first["location"]) == "зал 1"
    assert second.decoded("dtstart") == dt.datetime.combine(days[1], dt.time(10), tzinfo=utc)
    assert "dtend" not in second  # a start without an end: no invented duration
    assert str(second["location"]) == "Детский технопарк"  # the event's place where the date has none
    assert third.decoded("dtstart") == days[2] and third.decoded("dtend") == days[2] + dt.timedelta(days=1)
    assert "Дата 3 из 3 по графику" in str(third["description"]) and "три этапа" in str(third["description"])
    assert all(str(e["url"]).endswith(reverse("events:detail", args=[event.pk])) for e in items)

    # The UIDs stay when the schedule is saved again (calendar clients update the same entries).
    from kruzhok.events.services import event_sessions, event_update

    event_update(actor=world.org_admin, event=event, dates=event_sessions(event))
    again = Calendar.from_ical(client.get(reverse("events:feed")).content)
    assert {str(e["uid"]) for e in again.walk("VEVENT") if str(e["summary"]) == event.title} == {
        str(e["uid"]) for e in items}


def test_feed_date_filter_sees_the_dates(client, world):
    from kruzhok.events.schedule import Session
    from kruzhok.events.services import event_create

    event_create(actor=world.org_admin, title="Два этапа", kind="contest", level="municipal", organizer=world.org,
                 dates=[Session(dt.date(2030, 3, 10)), Session(dt.date(2030, 4, 7))])
    between = {"date_from": "2030-03-15", "date_to": "2030-03-31"}
    assert not Calendar.from_ical(client.get(reverse("events:feed"), between).content).walk("VEVENT")
    on_it = {"date_from": "2030-04-01", "date_to": "2030-04-30"}
    assert [str(e["summary"]) for e in Calendar.from_ical(
        client.get(reverse("events:feed"), on_it).content).walk("VEVENT")] == ["Два этапа", "Два этапа"]
