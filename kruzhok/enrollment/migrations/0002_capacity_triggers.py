"""Keep ``catalog_group.enrolled_count`` equal to the group's active enrollments, in the database.

Together with the check constraint ``group_not_overbooked`` (enrolled_count <= capacity) this makes the
database refuse any enrollment beyond capacity, whatever inserts it. On PostgreSQL the trigger's
UPDATE takes the group's row lock, so two concurrent enrollments into the last seat serialize and the
second fails the check; on SQLite writers are serialized by the database lock.
"""

from django.db import migrations

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
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS enrollment_count ON enrollment_enrollment;
DROP FUNCTION IF EXISTS kruzhok_enrollment_count();
"""

SQLITE_UP = [
    """CREATE TRIGGER enrollment_count_insert AFTER INSERT ON enrollment_enrollment
       WHEN NEW.status = 'active'
       BEGIN UPDATE catalog_group SET enrolled_count = enrolled_count + 1 WHERE id = NEW.group_id; END;""",
    """CREATE TRIGGER enrollment_count_delete AFTER DELETE ON enrollment_enrollment
       WHEN OLD.status = 'active'
       BEGIN UPDATE catalog_group SET enrolled_count = enrolled_count - 1 WHERE id = OLD.group_id; END;""",
    """CREATE TRIGGER enrollment_count_update AFTER UPDATE OF status, group_id ON enrollment_enrollment
       BEGIN
         UPDATE catalog_group SET enrolled_count = enrolled_count - 1
          WHERE id = OLD.group_id AND OLD.status = 'active';
         UPDATE catalog_group SET enrolled_count = enrolled_count + 1
          WHERE id = NEW.group_id AND NEW.status = 'active';
       END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS enrollment_count_insert;",
    "DROP TRIGGER IF EXISTS enrollment_count_delete;",
    "DROP TRIGGER IF EXISTS enrollment_count_update;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"No enrollment capacity triggers for {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0001_initial"),
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP}),
            _run({"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN}),
        ),
    ]
