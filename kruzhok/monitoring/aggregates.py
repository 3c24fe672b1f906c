"""Precomputed coverage cells (:class:`~kruzhok.monitoring.models.CoverageAggregate`) and their refresh.

The grain (the reason is in ``models.py``): one row per (date, municipality of residence, full age, sex,
rural/urban/unknown) × (direction or "all") × (organization type or "all") × (category or "all"), holding the
unique children and the enrollments of that cell. The child attributes add up across cells; the cube markers
are picked, never summed, by :mod:`kruzhok.monitoring.selectors`, so every coverage figure, breakdown and
band comes out exactly as the live count. About (municipalities × 18 ages × 2 sexes × 3 kinds of settlement)
× (1 + directions + organization types + directions × types) cells, plus the sparse category slices: tens of
thousands of rows for a region, some hundreds of thousands for a country — summed in milliseconds.

The refresh is one SQL pass per cube slice over the active enrollments of the date (on PostgreSQL one
``GROUPING SETS`` statement for the direction × type cube, one for the categories), inside one transaction:
readers see the old cells until the new ones commit. ``municipality_ids`` limits it to the municipalities
whose data changed (:func:`aggregates_refresh_changed` finds them from ``updated_at``).
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from kruzhok.monitoring.models import CoverageAggregate, CoverageSnapshot
from kruzhok.monitoring.selectors import years_before

MAX_AGE = 18
CHANGE_MARGIN = dt.timedelta(seconds=60)
_GROUPINGS = ((False, False), (True, False), (False, True), (True, True))  # (by direction, by org type)


def _age_sql() -> str:
    if connection.vendor == "postgresql":
        return ("(%(year)s - EXTRACT(YEAR FROM c.birth_date)::int"
                " - CASE WHEN to_char(c.birth_date, 'MMDD') > %(mmdd)s THEN 1 ELSE 0 END)")
    return ("(%(year)s - CAST(strftime('%%Y', c.birth_date) AS INTEGER)"
            " - CASE WHEN strftime('%%m%%d', c.birth_date) > %(mmdd)s THEN 1 ELSE 0 END)")


def _base_sql(municipality_ids: list[int] | None) -> str:
    ids = ", ".join(str(int(pk)) for pk in municipality_ids or ()) or "NULL"
    only = f"AND c.municipality_id IN ({ids})" if municipality_ids is not None else ""
    return f"""
        SELECT e.id AS enrollment_id, e.child_id, c.municipality_id, {_age_sql()} AS age, c.sex,
               s.is_rural AS rural, p.direction_id, o.org_type
        FROM enrollment_enrollment e
        JOIN people_child c ON c.id = e.child_id
        LEFT JOIN territory_settlement s ON s.id = c.settlement_id
        JOIN catalog_group g ON g.id = e.group_id
        JOIN catalog_programme p ON p.id = g.programme_id
        JOIN catalog_organization o ON o.id = p.organization_id
        WHERE e.start_date <= %(on)s AND (e.end_date IS NULL OR e.end_date >= %(on)s)
          AND c.merged_into_id IS NULL AND c.birth_date > %(born_after)s AND c.birth_date <= %(on)s {only}
    """


CATEGORIES_SQL = """
    SELECT DISTINCT cc.child_id, cc.kind FROM people_childcategory cc
    WHERE cc.valid_from <= %(on)s AND (cc.valid_to IS NULL OR cc.valid_to >= %(on)s)
"""

INSERT = """INSERT INTO monitoring_coverageaggregate
    (snapshot_id, municipality_id, age, sex, rural, direction_id, org_type, category, children, enrollments,
     computed_at)"""


def _insert_postgres(cursor, params: dict, base: str) -> None:
    cube = "GROUPING SETS ((), (b.direction_id), (b.org_type), (b.direction_id, b.org_type))"
    for categories in (False, True):
        join = f"JOIN ({CATEGORIES_SQL}) k ON k.child_id = b.child_id" if categories else ""
        kind = "k.kind" if categories else "''"
        group_kind = ", k.kind" if categories else ""
        cursor.execute(f"""{INSERT}
            SELECT %(snapshot)s, b.municipality_id, b.age, b.sex, b.rural,
                   CASE WHEN GROUPING(b.direction_id) = 0 THEN b.direction_id END,
                   CASE WHEN GROUPING(b.org_type) = 0 THEN b.org_type ELSE '' END,
                   {kind}, COUNT(DISTINCT b.child_id), COUNT(*), %(now)s
            FROM ({base}) b {join}
            GROUP BY b.municipality_id, b.age, b.sex, b.rural{group_kind}, {cube}""", params)


def _insert_portable(cursor, params: dict, base: str) -> None:
    for categories in (False, True):
        for by_direction, by_type in _GROUPINGS:
            join = f"JOIN ({CATEGORIES_SQL}) k ON k.child_id = b.child_id" if categories else ""
            columns = ["b.municipality_id", "b.age", "b.sex", "b.rural"]
            columns += ["b.direction_id"] if by_direction else []
            columns += ["b.org_type"] if by_type else []
            columns += ["k.kind"] if categories else []
            cursor.execute(f"""{INSERT}
                SELECT %(snapshot)s, b.municipality_id, b.age, b.sex, b.rural,
                       {"b.direction_id" if by_direction else "NULL"}, {"b.org_type" if by_type else "''"},
                       {"k.kind" if categories else "''"}, COUNT(DISTINCT b.child_id), COUNT(*), %(now)s
                FROM ({base}) b {join}
                GROUP BY {", ".join(columns)}""", params)


def aggregates_refresh(*, on: dt.date, municipality_ids: list[int] | None = None) -> dict:
    """Recompute the cells of ``on`` (all municipalities, or only ``municipality_ids``) in one transaction."""
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        snapshot, created = CoverageSnapshot.objects.get_or_create(on=on, defaults={"computed_at": now})
        if created and municipality_ids is not None:
            municipality_ids = None  # a new snapshot must hold every municipality
        cells = CoverageAggregate.objects.filter(snapshot=snapshot)
        if municipality_ids is not None:
            cells = cells.filter(municipality_id__in=municipality_ids)
        cells.delete()
        if municipality_ids is None or municipality_ids:
            params = {"snapshot": snapshot.pk, "now": now, "on": on, "born_after": years_before(on, MAX_AGE),
                      "year": on.year, "mmdd": on.strftime("%m%d")}
            base = _base_sql(municipality_ids)
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    _insert_postgres(cursor, params, base)
                else:
                    _insert_portable(cursor, params, base)
        duration = time.perf_counter() - started
        if municipality_ids is None:
            CoverageSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=now, duration_s=duration)
    if municipality_ids is None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics for the dashboard's plans (a few hundred ms)
            cursor.execute("ANALYZE monitoring_coverageaggregate")
    return {"on": on.isoformat(), "cells": CoverageAggregate.objects.filter(snapshot=snapshot).count(),
            "municipalities": None if municipality_ids is None else len(municipality_ids),
            "seconds": round(time.perf_counter() - started, 3)}


def changed_municipalities(*, since: dt.datetime) -> list[int]:
    """Municipalities of residence of children whose records or enrollments changed after ``since``."""
    from kruzhok.enrollment.models import Enrollment
    from kruzhok.people.models import Child

    ids = set(Enrollment.objects.filter(updated_at__gt=since).values_list("child__municipality_id", flat=True)
              .distinct())
    ids |= set(Child.objects.filter(updated_at__gt=since).values_list("municipality_id", flat=True).distinct())
    return sorted(ids)


def aggregates_refresh_changed(*, on: dt.date) -> dict:
    """Refresh only the municipalities changed since the last refresh of ``on`` (everything when there is none).

    The look-back starts ``CHANGE_MARGIN`` before the last refresh, for rows stamped before it but committed
    after it read the data."""
    last = CoverageAggregate.objects.filter(snapshot__on=on).aggregate(at=Max("computed_at"))["at"]
    if last is None:
        return aggregates_refresh(on=on)
    return aggregates_refresh(on=on, municipality_ids=changed_municipalities(since=last - CHANGE_MARGIN))


def aggregates_follow_changes(*, on: dt.date | None = None):
    """Start a refresh of the changed municipalities when children or enrollments changed since the cells of ``on``
    (today) were computed and no refresh is queued or running; called at every scheduler tick (30 s), so the cells
    follow a change within a tick plus the refresh itself. Returns the job started, or None."""
    from django.utils import timezone

    from kruzhok.core.jobs import job_start
    from kruzhok.core.models import Job

    on = on or timezone.localdate()
    last = CoverageAggregate.objects.filter(snapshot__on=on).aggregate(at=Max("computed_at"))["at"]
    if last is None:
        return None  # nothing computed for today yet: the nightly schedule (or a user) does the full refresh
    if Job.objects.filter(kind="monitoring.refresh", status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).exists():
        return None
    if not changed_municipalities(since=last - CHANGE_MARGIN):
        return None
    return job_start(kind="monitoring.refresh", params={"on": on.isoformat(), "changed": True})


def aggregates_status(*, on: dt.date) -> dt.datetime | None:
    """When the cells of ``on`` were last computed in full (None: never)."""
    return CoverageSnapshot.objects.filter(on=on).values_list("computed_at", flat=True).first()
