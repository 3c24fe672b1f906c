"""Turning database constraint violations into translated, user-readable errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import IntegrityError
from django.db.models import BaseConstraint
from django.utils.translation import gettext as _

from kruzhok.core.errors import CapacityError, DomainError

# Constraints whose violation means "no seat": callers may want to catch them apart.
CAPACITY_CONSTRAINTS = frozenset({"group_not_overbooked", "group_seats_not_oversold"})

# SQLite names a violated check constraint exactly; a unique index only by its columns.
_SQLITE_CHECK = re.compile(r"^CHECK constraint failed: (\w+)$")
_SQLITE_UNIQUE = "UNIQUE constraint failed:"


def _constraints() -> dict[str, tuple[type, BaseConstraint]]:
    found: dict[str, tuple[type, BaseConstraint]] = {}
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            found[constraint.name] = (model, constraint)
    return found


def _unique_columns(model: type, constraint: BaseConstraint) -> set[str]:
    fields = getattr(constraint, "fields", ())
    return {f"{model._meta.db_table}.{model._meta.get_field(name).column}" for name in fields}


def constraint_for(error: IntegrityError) -> BaseConstraint | None:
    """The named constraint an IntegrityError reports, on PostgreSQL (diag) and on SQLite (message text)."""
    constraints = _constraints()
    diag_name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    if diag_name in constraints:
        return constraints[diag_name][1]
    text = str(error)
    check = _SQLITE_CHECK.match(text)
    if check and check.group(1) in constraints:
        return constraints[check.group(1)][1]
    # "UNIQUE constraint failed: t.a, t.b": the constraint on exactly these columns of that table.
    if text.startswith(_SQLITE_UNIQUE):
        columns = {part.strip() for part in text.split(":", 1)[1].split(",")}
        for model, constraint in constraints.values():
            if _unique_columns(model, constraint) == columns:
                return constraint
    return None


@contextmanager
def integrity_as_domain_error() -> Iterator[None]:
    """Re-raise a constraint violation as a DomainError carrying the constraint's translated message."""
    try:
        yield
    except IntegrityError as error:
        constraint = constraint_for(error)
        if constraint is None:
            raise DomainError(_("Данные противоречат правилам целостности."), code="integrity") from error
        message = constraint.get_violation_error_message()
        error_class = CapacityError if constraint.name in CAPACITY_CONSTRAINTS else DomainError
        raise error_class(message, code=constraint.name) from error
