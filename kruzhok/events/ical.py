"""The public events as an iCalendar feed (RFC 5545): all-day events, one VEVENT per event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from kruzhok.events.models import Event


def events_calendar(events: Iterable[Event], *, url_for: Callable[[Event], str], host: str) -> bytes:
    """``url_for`` gives an event's absolute address on the site; ``host`` makes the UIDs globally unique."""
    calendar = Calendar()
    calendar.add("prodid", "-//Kruzhok//events//RU")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Мероприятия дополнительного образования"))
    stamp = timezone.now()
    for event in events:
        item = VEvent()
        item.add("uid", f"event-{event.pk}@{host}")
        item.add("dtstamp", stamp)
        item.add("summary", event.title)
        item.add("dtstart", event.start_date)
        # DTEND of an all-day event is exclusive: the day after the last one.
        item.add("dtend", (event.end_date or event.start_date) + dt.timedelta(days=1))
        details = [event.get_kind_display(), event.get_level_display()]
        if event.schedule_note:
            details.append(event.schedule_note)
        if event.description:
            details.append(event.description)
        item.add("description", "\n".join(str(d) for d in details))
        if event.place:
            item.add("location", event.place)
        if event.organizer_id and event.organizer.email:
            item.add("organizer", f"mailto:{event.organizer.email}", parameters={"cn": event.organizer.short_name})
        item.add("categories", [str(event.get_kind_display())])
        item.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
        item.add("url", url_for(event))
        calendar.add_component(item)
    return calendar.to_ical()
