"""The public events as an iCalendar feed (RFC 5545).

An event on one day or a period is one all-day VEVENT. An event held by a schedule is one VEVENT per date,
with the UID ``event-<pk>-<YYYYMMDD>[T<HHMM>]@host`` (stable while the date stays): every calendar client shows
separate VEVENTs, while RDATE is ignored or mangled by several of them. A date with a time is a timed VEVENT
(in UTC), a date without one an all-day VEVENT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, vText
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
        sessions = list(event.dates.all())
        if not sessions:
            item = _vevent(event, uid=f"event-{event.pk}@{host}", stamp=stamp, url=url_for(event), note="")
            item.add("dtstart", event.start_date)
            # DTEND of an all-day event is exclusive: the day after the last one.
            item.add("dtend", (event.end_date or event.start_date) + dt.timedelta(days=1))
            calendar.add_component(item)
            continue
        for number, session in enumerate(sessions, start=1):
            note = _("Дата %(n)s из %(total)s по графику") % {"n": number, "total": len(sessions)}
            when = f"{session.date:%Y%m%d}" + (f"T{session.start_time:%H%M}" if session.start_time else "")
            item = _vevent(event, uid=f"event-{event.pk}-{when}@{host}", stamp=stamp, url=url_for(event), note=note)
            if session.start_time is None:
                item.add("dtstart", session.date)
                item.add("dtend", session.date + dt.timedelta(days=1))
            else:
                item.add("dtstart", _utc(session.date, session.start_time))
                if session.end_time is not None:
                    item.add("dtend", _utc(session.date, session.end_time))
            if session.place:
                item["location"] = vText(session.place)
            calendar.add_component(item)
    return calendar.to_ical()


def _utc(day: dt.date, time: dt.time) -> dt.datetime:
    """A local wall time of the site as UTC (every calendar client reads ``…Z`` times)."""
    return timezone.make_aware(dt.datetime.combine(day, time)).astimezone(dt.UTC)


def _vevent(event: Event, *, uid: str, stamp: dt.datetime, url: str, note: str) -> VEvent:
    item = VEvent()
    item.add("uid", uid)
    item.add("dtstamp", stamp)
    item.add("summary", event.title)
    details = [event.get_kind_display(), event.get_level_display()]
    if note:
        details.append(note)
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
    item.add("url", url)
    return item
