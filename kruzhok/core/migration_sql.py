"""Raw SQL in migrations that differs per database (triggers, extensions, virtual tables)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import migrations

Statements = Mapping[str, Sequence[str]]


def sql_per_vendor(*, forward: Statements, backward: Statements) -> migrations.RunPython:
    """A migration operation running the statements for the connection's vendor (``postgresql``, ``sqlite``);
    a vendor with no statements is an error, not a silent skip."""

    def runner(statements_by_vendor: Statements):
        def run(apps, schema_editor) -> None:
            vendor = schema_editor.connection.vendor
            if vendor not in statements_by_vendor:
                raise RuntimeError(f"No SQL for {vendor} in this migration")
            for statement in statements_by_vendor[vendor]:
                schema_editor.execute(statement, params=None)  # raw SQL: "%" is an operator, not a placeholder

        return run

    return migrations.RunPython(runner(forward), runner(backward))


def indexes_dropped(*, plain: Mapping[str, tuple[str, str]],
                    like: Mapping[str, tuple[str, str]] | None = None) -> migrations.RunPython:
    """Drop indexes by name, recreated when the migration is reversed: ``plain`` ones on both databases, the
    ``varchar_pattern_ops`` twins Django adds on PostgreSQL (``like``) there only. Each maps the index name to
    its (table, column). For a ``SeparateDatabaseAndState`` whose state says ``db_index=False``: on SQLite,
    Django's own ``AlterField`` would rebuild the table (and lose its triggers) to drop an index."""
    def create(indexes: Mapping[str, tuple[str, str]], ops: str = "") -> list[str]:
        return [f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}"{ops})'
                for name, (table, column) in indexes.items()]

    def drop(indexes: Mapping[str, tuple[str, str]]) -> list[str]:
        return [f'DROP INDEX IF EXISTS "{name}"' for name in indexes]

    return sql_per_vendor(
        forward={"postgresql": [*drop(plain), *drop(like or {})], "sqlite": drop(plain)},
        backward={"postgresql": [*create(plain), *create(like or {}, " varchar_pattern_ops")],
                  "sqlite": create(plain)},
    )
