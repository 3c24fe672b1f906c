"""Keep ``catalog_group.enrolled_count`` equal to the group's active enrollments, in the database.

Together with the check constraint ``group_not_overbooked`` (enrolled_count <= capacity) this makes the
database refuse any enrollment beyond capacity, whatever inserts it. On PostgreSQL the trigger's
UPDATE takes the group's row lock, so two concurrent enrollments into the last seat serialize and the
second fails the check; on SQLite writers are serialized by the database lock.

Only these triggers may write ``enrolled_count``: a direct write (a stale ``Group.save()`` from a form or the
admin carries the count it read earlier) is replaced by the true count of active enrollments, so the
counter can neither drift nor be used to slip past the capacity check. On PostgreSQL the enrollment
trigger adds and subtracts one relative to the locked row (a recount there would miss a concurrent,
just-committed enrollment); on SQLite, where writers are serialized, every trigger recounts.
"""

from django.db import migrations

from kruzhok.core.migration_sql import sql_per_vendor

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION kruzhok_enrollment_count() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' THEN
        UPDATE catalog_group SET enrolled_count = enrolled_count - 1 WHERE id = OLD.group_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'active' THEN
        UPDATE catalog_group SET enrolled_count = enrolled_count + 1 WHERE id = NEW.group_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER enrollment_count
    AFTER INSERT OR DELETE OR UPDATE OF status, group_id ON enrollment_enrollment
    FOR EACH ROW EXECUTE FUNCTION kruzhok_enrollment_count();

CREATE OR REPLACE FUNCTION kruzhok_group_count_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.enrolled_count := 0;  -- a new group has no enrollments yet
    ELSIF pg_trigger_depth() = 1 THEN
        -- Written from outside (the enrollment trigger's own update runs at depth 2). The row is locked
        -- by now, and this query sees every committed enrollment.
        NEW.enrolled_count := (SELECT count(*) FROM enrollment_enrollment
                                WHERE group_id = NEW.id AND status = 'active');
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER group_count_guard_insert
    BEFORE INSERT ON catalog_group
    FOR EACH ROW WHEN (NEW.enrolled_count <> 0) EXECUTE FUNCTION kruzhok_group_count_guard();
CREATE TRIGGER group_count_guard
    BEFORE UPDATE OF enrolled_count ON catalog_group
    FOR EACH ROW WHEN (NEW.enrolled_count IS DISTINCT FROM OLD.enrolled_count)
    EXECUTE FUNCTION kruzhok_group_count_guard();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS group_count_guard ON catalog_group;
DROP TRIGGER IF EXISTS group_count_guard_insert ON catalog_group;
DROP FUNCTION IF EXISTS kruzhok_group_count_guard();
DROP TRIGGER IF EXISTS enrollment_count ON enrollment_enrollment;
DROP FUNCTION IF EXISTS kruzhok_enrollment_count();
"""

_SQLITE_RECOUNT = """UPDATE catalog_group SET enrolled_count = (
    SELECT count(*) FROM enrollment_enrollment e WHERE e.group_id = catalog_group.id AND e.status = 'active')"""

SQLITE_UP = [
    f"""CREATE TRIGGER enrollment_count_insert AFTER INSERT ON enrollment_enrollment
       WHEN NEW.status = 'active'
       BEGIN {_SQLITE_RECOUNT} WHERE id = NEW.group_id; END;""",
    f"""CREATE TRIGGER enrollment_count_delete AFTER DELETE ON enrollment_enrollment
       WHEN OLD.status = 'active'
       BEGIN {_SQLITE_RECOUNT} WHERE id = OLD.group_id; END;""",
    f"""CREATE TRIGGER enrollment_count_update AFTER UPDATE OF status, group_id ON enrollment_enrollment
       WHEN OLD.status IS NOT NEW.status OR OLD.group_id IS NOT NEW.group_id
       BEGIN {_SQLITE_RECOUNT} WHERE id IN (OLD.group_id, NEW.group_id); END;""",
    # A direct write of the counter (a stale Group.save()) is replaced by the true count.
    f"""CREATE TRIGGER group_count_guard_update AFTER UPDATE OF enrolled_count ON catalog_group
       WHEN NEW.enrolled_count IS NOT (SELECT count(*) FROM enrollment_enrollment e
                                       WHERE e.group_id = NEW.id AND e.status = 'active')
       BEGIN {_SQLITE_RECOUNT} WHERE id = NEW.id; END;""",
    """CREATE TRIGGER group_count_guard_insert AFTER INSERT ON catalog_group
       WHEN NEW.enrolled_count <> 0
       BEGIN UPDATE catalog_group SET enrolled_count = 0 WHERE id = NEW.id; END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS enrollment_count_insert;",
    "DROP TRIGGER IF EXISTS enrollment_count_delete;",
    "DROP TRIGGER IF EXISTS enrollment_count_update;",
    "DROP TRIGGER IF EXISTS group_count_guard_update;",
    "DROP TRIGGER IF EXISTS group_count_guard_insert;",
]


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0001_initial"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        sql_per_vendor(
            forward={"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP},
            backward={"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN},
        ),
    ]
