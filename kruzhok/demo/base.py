"""What every part of the demo builder shares: the random source, the calendar, small numeric helpers."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from kruzhok.catalog.models import Direction
from kruzhok.enrollment.models import RejectReason


def academic_year_start(day: dt.date) -> dt.date:
    """1 September of the academic year that ``day`` falls in (summer belongs to the year that ended)."""
    return dt.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def birth_date_for_age(rng: random.Random, *, age: int, on: dt.date) -> dt.date:
    """A birth date that makes a child exactly ``age`` full years old on ``on``."""
    latest = years_before(on, age)
    earliest = years_before(on, age + 1) + dt.timedelta(days=1)
    return earliest + dt.timedelta(days=rng.randrange((latest - earliest).days + 1))


def largest_remainder(weights: Mapping, total: int) -> dict:
    """Split ``total`` into integers proportional to ``weights`` (Hamilton's method, ties by key order)."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return dict.fromkeys(weights, 0)
    exact = {key: total * weight / weight_sum for key, weight in weights.items()}
    shares = {key: int(value) for key, value in exact.items()}
    left = total - sum(shares.values())
    order = sorted(weights, key=lambda key: (-(exact[key] - shares[key]), list(weights).index(key)))
    for key in order[:left]:
        shares[key] += 1
    return shares


@dataclass
class Ctx:
    """One build: the seeded random source, the reference date and the dictionaries the data points to."""

    seed: int
    today: dt.date
    rng: random.Random = field(init=False)
    tz: ZoneInfo = field(init=False)
    directions: dict[str, Direction] = field(init=False)
    reject_reasons: dict[str, RejectReason] = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.directions = {d.code: d for d in Direction.objects.filter(country="RU")}
        self.reject_reasons = {r.code: r for r in RejectReason.objects.all()}

    @property
    def year_start(self) -> dt.date:
        return academic_year_start(self.today)

    @property
    def year_end(self) -> dt.date:
        return dt.date(self.year_start.year + 1, 5, 31)

    def at(self, day: dt.date, hour: int | None = None, minute: int | None = None) -> dt.datetime:
        """An aware moment on ``day`` (a random working-hours time unless given)."""
        hour = self.rng.randint(8, 21) if hour is None else hour
        minute = self.rng.randrange(60) if minute is None else minute
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def choose(self, items: Sequence, weights: Sequence[float]):
        return self.rng.choices(items, weights=weights)[0]
