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
