"""Removing generated data: every registry row (territories, catalog, people, enrollment, events) and the
demo accounts, keeping the dictionaries that migrations load (directions, reject reasons) and other users."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from kruzhok.accounts.models import RoleGrant, User
from kruzhok.catalog.models import Direction
from kruzhok.demo.users import DEMO_EMAILS
from kruzhok.enrollment.models import RejectReason

REGISTRY_APPS = ("reports", "dedup", "monitoring", "events", "enrollment", "people", "catalog", "territory")
KEPT_MODELS = (Direction, RejectReason)


def registry_tables() -> list[str]:
    tables = [RoleGrant._meta.db_table]
    for label in REGISTRY_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model not in KEPT_MODELS:
                tables.append(model._meta.db_table)
    return tables


def registry_data_wipe() -> None:
    """Empty the registry tables (TRUNCATE … RESTART IDENTITY on PostgreSQL) and drop the demo accounts."""
    tables = registry_tables()
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of rows written earlier in this transaction must run before TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {quote(table)}")
        User.objects.filter(email__in=DEMO_EMAILS).delete()
