"""Keep ``catalog_group.held_count`` equal to the group's invited applications, in the database.

An invited application holds a seat until the child is enrolled or the invitation ends; with the check
``group_seats_not_oversold`` (held_count <= capacity - enrolled_count) the database refuses an invitation
or an enrollment past the free seats. Each trigger fires only when the "holds a seat" state changes, so
the common writes (a waitlisted application, a history row) cost nothing extra.

As with ``enrolled_count`` (migration 0002), only these triggers may write ``held_count``: a direct write
(a raw ``UPDATE``, a new group created with a count) is replaced by the true count of invited applications,
so the counter can neither drift nor be used to slip past the check. On PostgreSQL the guard fires only
for writes from outside a trigger (``pg_trigger_depth() = 0``), so the application trigger's own +1/-1 on
the locked row costs nothing more; on SQLite, where writers are serialized, it compares with a recount.
"""

from django.db import migrations

from kruzhok.core.migration_sql import sql_per_vendor

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION kruzhok_application_held() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'invited' THEN
        UPDATE catalog_group SET held_count = held_count - 1 WHERE id = OLD.group_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'invited' THEN
        UPDATE catalog_group SET held_count = held_count + 1 WHERE id = NEW.group_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER application_held_insert AFTER INSERT ON enrollment_application
    FOR EACH ROW WHEN (NEW.status = 'invited') EXECUTE FUNCTION kruzhok_application_held();
CREATE TRIGGER application_held_delete AFTER DELETE ON enrollment_application
    FOR EACH ROW WHEN (OLD.status = 'invited') EXECUTE FUNCTION kruzhok_application_held();
CREATE TRIGGER application_held_update AFTER UPDATE OF status, group_id ON enrollment_application
    FOR EACH ROW WHEN ((OLD.status = 'invited' OR NEW.status = 'invited')
                       AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.group_id IS DISTINCT FROM NEW.group_id))
    EXECUTE FUNCTION kruzhok_application_held();

CREATE OR REPLACE FUNCTION kruzhok_group_held_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.held_count := 0;  -- a new group has no invitations yet
    ELSE
        -- The row is locked by now, and this query sees every committed invitation.
        NEW.held_count := (SELECT count(*) FROM enrollment_application
                            WHERE group_id = NEW.id AND status = 'invited');
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER group_held_guard_insert
    BEFORE INSERT ON catalog_group
    FOR EACH ROW WHEN (NEW.held_count <> 0) EXECUTE FUNCTION kruzhok_group_held_guard();
CREATE TRIGGER group_held_guard
    BEFORE UPDATE OF held_count ON catalog_group
    FOR EACH ROW WHEN (NEW.held_count IS DISTINCT FROM OLD.held_count AND pg_trigger_depth() = 0)
    EXECUTE FUNCTION kruzhok_group_held_guard();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS group_held_guard ON catalog_group;
DROP TRIGGER IF EXISTS group_held_guard_insert ON catalog_group;
DROP FUNCTION IF EXISTS kruzhok_group_held_guard();
DROP TRIGGER IF EXISTS application_held_insert ON enrollment_application;
DROP TRIGGER IF EXISTS application_held_delete ON enrollment_application;
DROP TRIGGER IF EXISTS application_held_update ON enrollment_application;
DROP FUNCTION IF EXISTS kruzhok_application_held();
"""

_SQLITE_INVITED = "SELECT count(*) FROM enrollment_application a WHERE a.status = 'invited' AND"

SQLITE_UP = [
    """CREATE TRIGGER application_held_insert AFTER INSERT ON enrollment_application
       WHEN NEW.status = 'invited'
       BEGIN UPDATE catalog_group SET held_count = held_count + 1 WHERE id = NEW.group_id; END;""",
    """CREATE TRIGGER application_held_delete AFTER DELETE ON enrollment_application
       WHEN OLD.status = 'invited'
       BEGIN UPDATE catalog_group SET held_count = held_count - 1 WHERE id = OLD.group_id; END;""",
    """CREATE TRIGGER application_held_update AFTER UPDATE OF status, group_id ON enrollment_application
       WHEN (OLD.status = 'invited' OR NEW.status = 'invited')
            AND (OLD.status IS NOT NEW.status OR OLD.group_id IS NOT NEW.group_id)
       BEGIN
         UPDATE catalog_group SET held_count = held_count - 1 WHERE id = OLD.group_id AND OLD.status = 'invited';
         UPDATE catalog_group SET held_count = held_count + 1 WHERE id = NEW.group_id AND NEW.status = 'invited';
       END;""",
    # A direct write of the counter is replaced by the true count.
    f"""CREATE TRIGGER group_held_guard_update AFTER UPDATE OF held_count ON catalog_group
       WHEN NEW.held_count IS NOT ({_SQLITE_INVITED} a.group_id = NEW.id)
       BEGIN UPDATE catalog_group SET held_count = ({_SQLITE_INVITED} a.group_id = NEW.id)
             WHERE id = NEW.id; END;""",
    """CREATE TRIGGER group_held_guard_insert AFTER INSERT ON catalog_group
       WHEN NEW.held_count <> 0
       BEGIN UPDATE catalog_group SET held_count = 0 WHERE id = NEW.id; END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS group_held_guard_update;",
    "DROP TRIGGER IF EXISTS group_held_guard_insert;",
    "DROP TRIGGER IF EXISTS application_held_insert;",
    "DROP TRIGGER IF EXISTS application_held_delete;",
    "DROP TRIGGER IF EXISTS application_held_update;",
]


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0004_application_lottery_rank_lotterydraw"),
        ("catalog", "0004_group_allocation_group_held_count_and_more"),
    ]

    operations = [
        sql_per_vendor(
            forward={"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP},
            backward={"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN},
        ),
    ]
