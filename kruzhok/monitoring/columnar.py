"""The live coverage breakdown of a region or the whole installation: columns out of PostgreSQL, counted in numpy.

:func:`kruzhok.monitoring.selectors.coverage_cube` counts unique children per municipality × direction ×
organization type × age band. As one SQL statement, PostgreSQL's row engine joins every active enrollment to
its child and its group's programme and organization and sorts them for the distinct counts: at 5 million
enrollments that is 6–8 s, most of it in the joins. Here PostgreSQL only scans and filters — each table's
columns come out as one binary string (``string_agg`` of ``int8send``: no per-row work in Python) —, and numpy
does the rest:

* children (unmerged, resident in the territory, born in the filter's band) with their municipality and birth
  day, and groups (narrowed by the filter) with their direction and organization type, become dense look-up
  arrays indexed by id; the birth day gives the band;
* each enrollment active on the date looks up its child's cell (municipality, band) and its group's (direction,
  type) — a gather, no join —; those whose child or group is not counted drop out;
* enrollments per cell are a ``bincount``; unique children per cell are the distinct (child, group cell)
  pairs, counted in their child's cell.

The reads run on three connections at once — the enrollments in two halves of the table's pages, children and
groups on the third — sharing one snapshot (``pg_export_snapshot``), so the figures are those of one moment, as
one statement's would be. Inside a transaction (a test, a caller's atomic block) they run on its own
connection, one after another.

Used by ``coverage_cube`` on PostgreSQL for a region and the installation (a municipality's rows are few and
indexed: the SQL statement is quicker there). The tests hold both ways equal to a Python reference on random
data (``test_selectors_property``), with the ids packed in one number and apart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import connection
from psycopg import Cursor  # a server-side binding cursor: Django's client-side ones cannot return binary

# Two numbers travel as one where they fit in 31 bits each — child id × 2^32 + group id; child id × 2^32 +
# (municipality id × 2^13 + birth day, the days after the band's first excluded day) —: one int8send and one
# string_agg a row instead of two, a fifth less work for the database, and the two halves of each 8 bytes are
# read by numpy as two int32 columns without arithmetic. The band is found from the birth day in numpy: as a CASE
# over the bands' dates it cost PostgreSQL more than reading the row.
DAY_BITS = 13  # 8 192 days: more than the 18 years of the widest band
LIMITS_SQL = (
    "SELECT pg_relation_size('enrollment_enrollment') / current_setting('block_size')::int, "
    "(SELECT max(id) FROM people_child), (SELECT max(id) FROM catalog_group), (SELECT max(id) FROM "
    "territory_municipality)"
)


def _packs(max_child: int | None, max_group: int | None, max_municipality: int | None) -> bool:
    return ((max_child or 0) < 2 ** 31 and (max_group or 0) < 2 ** 31
            and (max_municipality or 0) < 2 ** (31 - DAY_BITS))


def _enrollments_sql(packed: bool, until: bool) -> str:
    """The active enrollments of a range of the table's pages (a TID range scan: the table is read in two halves
    at once): child and group ids."""
    columns = (f"string_agg(int8send(child_id * {2 ** 32} + group_id), '')" if packed else
               "string_agg(int8send(child_id), ''), string_agg(int8send(group_id), '')")
    return (f"SELECT {columns} FROM enrollment_enrollment "
            "WHERE start_date <= %(on)s AND (end_date IS NULL OR end_date >= %(on)s) "
            "AND ctid >= %(from_page)s::text::tid" + (" AND ctid < %(until_page)s::text::tid" if until else ""))


def _children_sql(territory_sql: str, packed: bool) -> str:
    """Counted children (unmerged, born in the filter's band, of the territory): id, municipality and birth day —
    the days after ``born_after`` (1 to 8 192)."""
    place = f"municipality_id * {2 ** DAY_BITS} + (birth_date - %(born_after)s::date)"
    columns = (f"string_agg(int8send(id * {2 ** 32} + {place}), '')" if packed else
               f"string_agg(int8send(id), ''), string_agg(int8send({place}), '')")
    return (f"SELECT {columns} FROM people_child WHERE merged_into_id IS NULL "
            f"AND birth_date > %(born_after)s AND birth_date <= %(born_by)s{territory_sql}")


def _pair(columns: list[tuple], packed: bool) -> tuple[np.ndarray, np.ndarray]:
    """(first, second) arrays of the readers' result rows (``columns``, one per part of a table): the high and
    low 32 bits of a packed column (int32), or two columns (int64)."""
    def joined(index: int) -> bytes:
        parts = [column[index] for column in columns if column[index]]
        return parts[0] if len(parts) == 1 else b"".join(parts)

    if not packed:
        return _array(joined(0)), _array(joined(1))
    halves = np.frombuffer(joined(0), dtype=">i4").reshape(-1, 2)
    return halves[:, 0].astype(np.int32), halves[:, 1].astype(np.int32)


def _groups_sql(group_filter_sql: str) -> str:
    return (
        "SELECT string_agg(int8send(g.id), ''), string_agg(int8send(COALESCE(p.direction_id, -1)), ''), "
        "string_agg(convert_to(o.org_type, 'UTF8') || '\\x00'::bytea, '') "
        "FROM catalog_group g JOIN catalog_programme p ON p.id = g.programme_id "
        f"JOIN catalog_organization o ON o.id = p.organization_id{group_filter_sql}"
    )


def _array(data: bytes | memoryview | None) -> np.ndarray:
    return np.frombuffer(data or b"", dtype=">i8").astype(np.int64)


def _fetch(cursor: Any, sql: str, params: dict) -> tuple:
    cursor.execute(sql, params, binary=True)
    return cursor.fetchone()


def cube_rows(*, on: Any, bands: tuple[tuple[int, int], ...], born_after: Any, born_by: Any,
              band_limits: list[tuple[Any, Any]], territory: tuple[str, int] | None,
              direction_id: int | None, organization_type: str | None) -> list[tuple]:
    """(municipality_id, direction_id, org_type, band index, children, enrollments) per non-empty cell.

    ``band_limits[i]`` is the (born after, born by) pair of ``bands[i]``; ``territory`` is ``("region", id)``,
    ``("municipality", id)`` or None (everything)."""
    if (born_by - born_after).days >= 2 ** DAY_BITS:
        raise ValueError("an age band of at most 22 years")
    params: dict[str, Any] = {"on": on, "born_after": born_after, "born_by": born_by}
    # birth day (days after born_after) → band index, -1 outside every band
    band_of_day = np.full(2 ** DAY_BITS, -1, dtype=np.int64)
    for i, (after, by) in enumerate(band_limits):
        band_of_day[max(0, (after - born_after).days + 1):(by - born_after).days + 1] = i
    territory_sql = ""
    if territory is not None:
        kind, pk = territory
        params["territory"] = pk
        territory_sql = (" AND municipality_id = %(territory)s" if kind == "municipality" else
                         " AND municipality_id IN (SELECT id FROM territory_municipality "
                         "WHERE region_id = %(territory)s)")
    conditions = []
    if direction_id is not None:
        conditions.append("p.direction_id = %(direction)s")
        params["direction"] = direction_id
    if organization_type is not None:
        conditions.append("o.org_type = %(org_type)s")
        params["org_type"] = organization_type
    group_filter_sql = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    groups_sql = _groups_sql(group_filter_sql)
    packed = True

    def parts(cursor: Any) -> list[Callable[[Any], Any]]:
        nonlocal packed
        cursor.execute(LIMITS_SQL)
        pages, *limits = cursor.fetchone()
        packed = _packs(*limits)
        children_sql = _children_sql(territory_sql, packed)

        def others_read(cur: Any) -> tuple:
            return _fetch(cur, children_sql, params), _fetch(cur, groups_sql, params)

        def enrollments_read(from_page: int, until_page: int | None) -> Callable[[Any], tuple]:
            sql = _enrollments_sql(packed, until_page is not None)
            return lambda cur: _fetch(cur, sql, {**params, "from_page": f"({from_page},0)",
                                                 "until_page": f"({until_page},0)"})

        return [others_read, enrollments_read(0, pages // 2), enrollments_read(pages // 2, None)]

    (children, groups), *halves = _read_in_one_snapshot(parts)
    e_child, e_group = _pair(halves, packed)
    child_id, place = _pair([children], packed)
    child_muni, day = place >> DAY_BITS, place & (2 ** DAY_BITS - 1)
    child_band = band_of_day[day]
    counted = child_band >= 0
    return _count(e_child, e_group, child_id[counted], child_muni[counted], child_band[counted], groups, len(bands))


def _read_in_one_snapshot(parts: Callable[[Any], list[Callable[[Any], Any]]]) -> list[Any]:
    """Runs each reader that ``parts`` returns with a psycopg cursor, all in one snapshot: at once on a
    connection each when the current one is not inside a transaction, else one after another on it."""
    connection.ensure_connection()
    pg = connection.connection
    if connection.in_atomic_block:
        with Cursor(pg) as cursor:
            return [read(cursor) for read in parts(cursor)]
    with pg.transaction(), Cursor(pg) as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        exported = cursor.fetchone()
        assert exported is not None
        snapshot = exported[0]
        readers = parts(cursor)
        results: list[Any] = [None] * len(readers)
        errors: list[BaseException] = []

        def run(index: int) -> None:
            try:
                other = connection.get_new_connection(connection.get_connection_params())
                try:
                    with other.transaction(), Cursor(other) as cur:
                        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                        cur.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")  # an id PostgreSQL made
                        results[index] = readers[index](cur)
                finally:
                    other.close()
            except BaseException as error:  # raised in the caller's thread
                errors.append(error)

        threads = [threading.Thread(target=run, args=(i,), name="coverage-columns") for i in range(1, len(readers))]
        for thread in threads:
            thread.start()
        try:
            results[0] = readers[0](cursor)
        finally:
            for thread in threads:
                thread.join()
        if errors:
            raise errors[0]
        return results


def _count(e_child: np.ndarray, e_group: np.ndarray, child_id: np.ndarray, child_muni: np.ndarray,
           child_band: np.ndarray, groups: tuple, bands: int) -> list[tuple]:
    group_id, group_direction = _array(groups[0]), _array(groups[1])
    group_types = bytes(groups[2] or b"").split(b"\x00")[:-1]
    if not len(child_id) or not len(group_id) or not len(e_child):
        return []
    # dense codes of the small dimensions
    munis, muni_code = _codes(child_muni)
    directions, direction_code = _codes(group_direction + 1)
    directions = directions - 1
    types = sorted(set(group_types))
    type_index = {t: i for i, t in enumerate(types)}
    type_code = np.fromiter((type_index[t] for t in group_types), dtype=np.int64, count=len(group_types))
    # look-up arrays by id (int32 cell numbers; -1 where the child or group is not counted), sized for every id
    # an enrollment names. Few, small temporaries: each large array is fresh memory to fault in.
    child_cell = np.full(max(int(child_id.max()), int(e_child.max())) + 1, -1, dtype=np.int32)
    child_cell[child_id] = muni_code * bands + child_band
    group_cell = np.full(max(int(group_id.max()), int(e_group.max())) + 1, -1, dtype=np.int32)
    group_cell[group_id] = direction_code * len(types) + type_code
    # each enrollment's group cell (direction, type) and its child's cell (municipality, band)
    per_group = len(directions) * len(types)
    g = group_cell[e_group]
    c = child_cell[e_child]
    keep = c >= 0
    keep &= g >= 0
    child, g, c = e_child[keep], g[keep], c[keep]
    cells = len(munis) * bands * per_group
    enrollments = np.bincount(c.astype(np.int64) * per_group + g, minlength=cells)
    # distinct (child, group cell) pairs — a child's own cell is one — sorted, each kept where it differs from the
    # one before. Child first and a stable sort (timsort): enrollments are mostly stored child by child, and
    # timsort takes such runs in one pass — several times quicker here than numpy's quicksort or its hash-based
    # np.unique. In 32 bits when they fit (half the memory to sort and to fault in).
    wide = (int(child.max()) + 1) * per_group >= 2 ** 31 if len(child) else False
    pairs = child.astype(np.int64 if wide else np.int32)
    pairs *= per_group
    pairs += g
    del child, g, c, keep
    pairs.sort(kind="stable")
    first = np.empty(len(pairs), dtype=bool)
    first[:1] = True
    np.not_equal(pairs[1:], pairs[:-1], out=first[1:])
    distinct = pairs[first]
    children_per_cell = np.bincount(child_cell[distinct // per_group].astype(np.int64) * per_group
                                    + distinct % per_group, minlength=cells)
    out = []
    for index in np.flatnonzero(enrollments):
        rest, gd = divmod(int(index), per_group)
        m, b = divmod(rest, bands)
        d, t = divmod(gd, len(types))
        direction = int(directions[d])
        out.append((int(munis[m]), None if direction == -1 else direction, types[t].decode(), b,
                    int(children_per_cell[index]), int(enrollments[index])))
    return out


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (small non-negative ids) and each value's index among them: ``np.unique`` with
    ``return_inverse``, by a presence table instead of a sort."""
    present = np.zeros(int(values.max()) + 1, dtype=bool)
    present[values] = True
    return np.flatnonzero(present), (np.cumsum(present) - 1)[values]

