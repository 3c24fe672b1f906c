"""Working-day arithmetic for answer deadlines (Monday–Friday; public holidays are not modelled yet)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The moment ``days`` working days after ``start``, at the same local time of day.

    Days are counted on the local calendar (``TIME_ZONE``), not in UTC: an application received on Saturday
    at 02:00 in Yekaterinburg (Friday 21:00 UTC) was received on a weekend. Friday + 7 → the Tuesday after
    next; Saturday or Sunday + 7 → the same Tuesday (counting starts on Monday).
    """
    local = timezone.localtime(start) if timezone.is_aware(start) else start
    day = local.date()
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    due = dt.datetime.combine(day, local.time().replace(tzinfo=None))
    if timezone.is_aware(start):
        due = timezone.make_aware(due, local.tzinfo)
    return due
