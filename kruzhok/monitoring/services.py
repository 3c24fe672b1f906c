"""Writes of the monitoring app: the yearly population of children by single year of age (the denominator).

Files of population are loaded by the one import of every registry (``interchange``, registry ``population``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kruzhok.core.errors import DomainError
from kruzhok.core.services import audit_record
from kruzhok.territory.models import Municipality, Population

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_AGE = 17


def _validate_cell(*, year: Any, age: Any, count: Any) -> list[tuple[str, str]]:
    errors = []
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        errors.append(("year", _("Год должен быть между %(a)s и %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}))
    if not isinstance(age, int) or not 0 <= age <= MAX_AGE:
        errors.append(("age", _("Возраст должен быть от 0 до 17 лет.")))
    if not isinstance(count, int) or count < 0:
        errors.append(("count", _("Число детей должно быть целым и не меньше нуля.")))
    return errors


@transaction.atomic
def population_set(*, municipality: Municipality, year: int, counts: dict[int, int | None], actor: Any) -> int:
    """Set the population of ``municipality`` in ``year`` for the ages in ``counts`` (None deletes the age).

    Returns the number of rows written or deleted; raises :class:`DomainError` (nothing written) on a bad value.
    """
    problems = []
    for age, count in counts.items():
        problems += [message for _column, message in _validate_cell(year=year, age=age, count=count if count
                                                                     is not None else 0)]
    if problems:
        raise DomainError(sorted(set(problems)))
    written = 0
    for age, count in sorted(counts.items()):
        if count is None:
            written += Population.objects.filter(municipality=municipality, year=year, age=age).delete()[0]
            continue
        Population.objects.update_or_create(municipality=municipality, year=year, age=age,
                                            defaults={"count": count})
        written += 1
    audit_record(actor=actor, action="population.set", obj=municipality, year=year,
                 counts={str(k): v for k, v in sorted(counts.items())})
    return written
