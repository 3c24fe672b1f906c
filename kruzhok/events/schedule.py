"""The dates of an event held by a schedule, as a secretary types them: one date a line.

    02.02.2024
    07.02.2024 15:00–17:00 ЦДТ, актовый зал
    16.04.2024 10:00 стадион «Труд»

A line is a date (``ДД.ММ.ГГГГ``, ``ДД.ММ.ГГ`` or ``ГГГГ-ММ-ДД``), optionally a time or a time range, optionally
a place or a note. Every bad line gets its own message naming the line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_DATES = 366
PLACE_LENGTH = 300
LINE = re.compile(
    r"^(?P<date>\d{1,2}\.\d{1,2}\.\d{2}(?:\d{2})?|\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[\s,]+(?P<start>\d{1,2}[:.]\d{2})(?:\s*[-–—]\s*(?P<end>\d{1,2}[:.]\d{2}))?)?"
    r"(?:(?:\s*[,;]\s*|\s+)(?P<place>.*))?$"
)


@dataclass(frozen=True, order=True)
class Session:
    """One dated session of an event (see ``models.EventDate``)."""

    date: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    place: str = ""

    def line(self) -> str:
        """The session as a line of the form's field (what :func:`sessions_parse` reads back)."""
        text = self.date.strftime("%d.%m.%Y")
        if self.start_time:
            text += f" {self.start_time:%H:%M}"
            if self.end_time:
                text += f"–{self.end_time:%H:%M}"
        return f"{text} {self.place}" if self.place else text


def _date(text: str) -> dt.date:
    if "-" in text:
        year, month, day = (int(part) for part in text.split("-"))
    else:
        day, month, year = (int(part) for part in text.split("."))
        if year < 100:
            year += 2000
    return dt.date(year, month, day)


def _time(text: str) -> dt.time:
    hours, minutes = (int(part) for part in re.split(r"[:.]", text))
    return dt.time(hours, minutes)


def _session(number: int, line: str) -> Session:
    match = LINE.match(line)
    if match is None:
        raise ValidationError(_("Строка %(n)s: «%(line)s» — в начале строки нужна дата, например 02.02.2024.")
                              % {"n": number, "line": line}, code="schedule_line")
    try:
        date = _date(match["date"])
    except ValueError:
        raise ValidationError(_("Строка %(n)s: нет такой даты «%(value)s».") % {"n": number, "value": match["date"]},
                              code="schedule_date") from None
    times: list[dt.time | None] = []
    for value in (match["start"], match["end"]):
        try:
            times.append(_time(value) if value else None)
        except ValueError:
            raise ValidationError(_("Строка %(n)s: нет такого времени «%(value)s».") % {"n": number, "value": value},
                                  code="schedule_time") from None
    start, end = times
    if start and end and end <= start:
        raise ValidationError(_("Строка %(n)s: окончание (%(end)s) должно быть позже начала (%(start)s).")
                              % {"n": number, "start": match["start"], "end": match["end"]}, code="schedule_order")
    place = (match["place"] or "").strip()
    if len(place) > PLACE_LENGTH:
        raise ValidationError(_("Строка %(n)s: место или примечание длиннее %(limit)s знаков.")
                              % {"n": number, "limit": PLACE_LENGTH}, code="schedule_place")
    return Session(date=date, start_time=start, end_time=end, place=place)


def sessions_parse(text: str) -> list[Session]:
    """The sessions of the text, in date order; a ValidationError lists every bad line (empty lines are skipped)."""
    sessions: list[Session] = []
    errors: list[ValidationError] = []
    seen: dict[tuple[dt.date, dt.time | None], int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            session = _session(number, line)
        except ValidationError as error:
            errors.append(error)
            continue
        key = (session.date, session.start_time)
        if key in seen:
            errors.append(ValidationError(_("Строка %(n)s: эта дата и время уже есть в строке %(first)s.")
                                          % {"n": number, "first": seen[key]}, code="schedule_twice"))
            continue
        seen[key] = number
        sessions.append(session)
    if len(sessions) > MAX_DATES:
        errors.append(ValidationError(_("Не больше %(limit)s дат у одного мероприятия.") % {"limit": MAX_DATES},
                                      code="schedule_too_long"))
    if errors:
        raise ValidationError(errors)
    return sorted(sessions, key=lambda s: (s.date, s.start_time or dt.time.min))


def sessions_text(sessions: Iterable[Session]) -> str:
    return "\n".join(session.line() for session in sessions)
