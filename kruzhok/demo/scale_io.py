"""Writing millions of rows fast: COPY on PostgreSQL (psycopg 3 ``cursor.copy``), executemany on SQLite.

Rows are plain tuples in the column order a :class:`TableWriter` names; ids are given by the generator
(:func:`next_id`), so rows of different tables can point at each other before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Model

SQLITE_BATCH = 2_000


class TableWriter:
    """Inserts rows of one model's table.

    ``fields`` name the columns the rows give, in order; any other column of the model gets its default
    (so a column added later with a default does not break the generator); one without a default is an error.
    """

    def __init__(self, model: type[Model], fields: Sequence[str]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.columns = [model._meta.get_field(name).column for name in fields]
        given = set(self.columns)
        missing = [f for f in model._meta.concrete_fields if f.column not in given]
        undefaulted = [f.column for f in missing if not (f.has_default() or f.null or f.empty_strings_allowed)]
        if undefaulted:
            raise ValueError(f"{self.table}: no value and no default for {undefaulted}")
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in missing)
        self.columns += [f.column for f in missing]
        self.written = 0

    def write(self, rows: Sequence[tuple]) -> int:
        if not rows:
            return 0
        if self.defaults:
            rows = [row + self.defaults for row in rows]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({placeholders})"
                for start in range(0, len(rows), SQLITE_BATCH):
                    cursor.executemany(sql, rows[start:start + SQLITE_BATCH])
        self.written += len(rows)
        return len(rows)


def next_id(model: type[Model]) -> int:
    """The first free id of a table (ids are given explicitly by the generator)."""
    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def sequences_reset(models: Iterable[type[Model]]) -> None:
    """After explicit ids on PostgreSQL: move each identity sequence past the largest id."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, "
                "false)", [table])


@contextmanager
def triggers_disabled():
    """On PostgreSQL try ``session_replication_role = replica`` (triggers and FK checks off; needs a superuser).

    Yields True when they are off — the caller then sets the counters the triggers would keep — and False
    when they stay on (SQLite, or a role without the privilege).
    """
    if connection.vendor != "postgresql":
        yield False
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        disabled = True
    except DatabaseError:
        disabled = False
    try:
        yield disabled
    finally:
        if disabled:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")


def timestamp_text(moment: dt.datetime) -> str:
    """A UTC timestamp as the backend stores it (SQLite keeps naive UTC text)."""
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text}+00:00" if connection.vendor == "postgresql" else text


@contextmanager
def indexes_deferred(models: Iterable[type[Model]]):
    """PostgreSQL: drop the plain (not constraint-backing) indexes of ``models`` and build them again on exit.

    Building an index once over loaded rows is several times faster than maintaining it row by row. Call
    it inside the transaction of the load: if the load fails, the rollback brings the indexes back too.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i"
            " JOIN pg_class c ON c.relname = i.indexname AND c.relkind = 'i'"
            " WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)"
            " ORDER BY i.indexname", [tables])
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)


class BackgroundLoader:
    """Runs ``load(chunks)`` in a thread with its own connection while the caller produces the chunks.

    The generator (Python) and the database (its own process) then work at the same time. ``put`` hands
    over one chunk (waiting while two are queued); ``finish`` waits for the load and re-raises its error.
    """

    def __init__(self, load) -> None:
        import queue
        import threading

        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(load,), daemon=True)
        self._thread.start()

    def _run(self, load) -> None:
        try:
            load(iter(self._queue.get, None))
        except BaseException as error:  # handed to the caller by finish()
            self._error = error
            while self._queue.get() is not None:  # let the producer run to its end
                pass
        finally:
            connection.close()

    def put(self, chunk) -> None:
        if self._error is None:
            self._queue.put(chunk)

    def finish(self):
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
