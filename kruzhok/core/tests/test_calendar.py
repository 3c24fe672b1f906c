"""Working days for answer deadlines: weekends are skipped on the local calendar, the time of day is kept."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from kruzhok.core.calendar import add_working_days

YEKATERINBURG = ZoneInfo("Asia/Yekaterinburg")


def local(*args: int, zone: ZoneInfo = YEKATERINBURG) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone)


@pytest.mark.parametrize(("start", "days", "due"), [
    (local(2025, 10, 3, 10, 0), 7, local(2025, 10, 14, 10, 0)),  # Friday → the Tuesday after next
    (local(2025, 10, 6, 9, 30), 7, local(2025, 10, 15, 9, 30)),  # Monday → Wednesday next week
    (local(2025, 10, 4, 12, 0), 7, local(2025, 10, 14, 12, 0)),  # Saturday: counting starts on Monday
    (local(2025, 10, 5, 23, 59), 7, local(2025, 10, 14, 23, 59)),  # Sunday, just before midnight
    (local(2025, 10, 3, 10, 0), 1, local(2025, 10, 6, 10, 0)),  # Friday → Monday
    (local(2025, 10, 3, 10, 0), 5, local(2025, 10, 10, 10, 0)),  # a working week
    (local(2025, 10, 3, 10, 0), 10, local(2025, 10, 17, 10, 0)),
    (local(2025, 10, 3, 10, 0), 0, local(2025, 10, 3, 10, 0)),
])
def test_weekends_are_skipped(start, days, due):
    assert add_working_days(start, days) == due
    assert add_working_days(start.astimezone(dt.UTC), days) == due  # the same moment, given in UTC


def test_the_day_is_the_local_one_not_utcs():
    # Saturday 02:00 in Yekaterinburg is still Friday 21:00 in UTC; it was received on a weekend.
    saturday_night = local(2025, 10, 4, 2, 0)
    assert saturday_night.astimezone(dt.UTC).weekday() == 4
    with timezone.override(YEKATERINBURG):
        assert add_working_days(saturday_night.astimezone(dt.UTC), 1) == local(2025, 10, 6, 2, 0)


def test_the_local_time_of_day_is_kept_across_a_clock_change():
    berlin = ZoneInfo("Europe/Berlin")
    friday = local(2025, 3, 28, 10, 0, zone=berlin)  # summer time starts on Sunday 30 March
    with timezone.override(berlin):
        due = add_working_days(friday, 1)
    assert due == local(2025, 3, 31, 10, 0, zone=berlin)
    assert due.astimezone(dt.UTC) - friday.astimezone(dt.UTC) == dt.timedelta(days=3, hours=-1)  # 71 hours


def test_a_naive_moment_stays_naive():
    assert add_working_days(dt.datetime(2025, 10, 3, 10, 0), 7) == dt.datetime(2025, 10, 14, 10, 0)  # noqa: DTZ001


# The one-statement apply (``application_submit_direct``) computes the deadline in SQL: its twin must agree.
ZONES = ["Asia/Yekaterinburg", "Asia/Almaty", "Europe/Moscow", "Europe/Berlin", "UTC"]


@pytest.mark.django_db
@given(moment=st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31),  # noqa: DTZ001
                           timezones=st.just(dt.UTC)),
       days=st.integers(min_value=-1, max_value=30), zone=st.sampled_from(ZONES))
@settings(max_examples=300, deadline=None)
def test_the_sql_twin_agrees_with_python(moment, days, zone):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the SQL twin exists on PostgreSQL only")
    with timezone.override(ZoneInfo(zone)):
        expected = add_working_days(moment, days)
    with connection.cursor() as cursor:
        cursor.execute("SELECT enrollment_add_working_days(%s, %s, %s)", [moment, days, zone])
        (got,) = cursor.fetchone()
    assert got == expected
