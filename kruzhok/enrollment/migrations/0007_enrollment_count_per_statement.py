"""On PostgreSQL, keep ``catalog_group.enrolled_count`` with one trigger run per statement instead of one per row.

Migration 0002's row trigger ran one ``UPDATE catalog_group`` per active enrollment written: a bulk write (the
import's COPY of thousands of enrollments) paid ~0.25 ms per row for it. These statement triggers read the
statement's rows from its transition tables (``new_rows``, ``old_rows``), add up the change of active enrollments
per group (+1 for a row that is active after the statement, -1 for one that was active before: an insert, a delete,
a change of status or of group) and run one ``UPDATE`` per group whose count changed. What 0002 guaranteed holds:

* the check ``group_not_overbooked`` (enrolled_count <= capacity) and ``group_seats_not_oversold`` still judge
  the group row after the update, so a statement that would fill a group past capacity fails as a whole;
* the ``UPDATE`` still takes the group's row lock and adds relative to the locked (latest committed) row, so
  concurrent enrollments into the last seat serialize and the second fails the check;
* the groups are updated in ``group_id`` order, so two statements touching several groups lock them in the same
  order and cannot deadlock on them;
* the guard ``group_count_guard`` (0002) still replaces a direct write of the counter by a recount: the
  statement trigger's own update runs at trigger depth 2, like the row trigger's did.

A transition table cannot go with a column list (``UPDATE OF status, group_id``), so the update trigger fires for
every ``UPDATE`` of enrollments; one that changes no status and no group nets to zero per group and writes nothing.

SQLite has no transition tables: it keeps the row triggers of 0002 (its writers are serialized anyway).
"""

from django.db import migrations

from kruzhok.core.migration_sql import sql_per_vendor

POSTGRES_UP = """
DROP TRIGGER IF EXISTS enrollment_count ON enrollment_enrollment;
DROP FUNCTION IF EXISTS kruzhok_enrollment_count();

CREATE OR REPLACE FUNCTION kruzhok_enrollment_count() RETURNS trigger AS $$
DECLARE
    change record;
BEGIN
    -- Each branch names only the transition tables its event has (an insert has no old rows, a delete no new).
    IF TG_OP = 'INSERT' THEN
        FOR change IN SELECT group_id, count(*) AS delta FROM new_rows WHERE status = 'active'
                       GROUP BY group_id ORDER BY group_id LOOP
            UPDATE catalog_group SET enrolled_count = enrolled_count + change.delta WHERE id = change.group_id;
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR change IN SELECT group_id, count(*) AS delta FROM old_rows WHERE status = 'active'
                       GROUP BY group_id ORDER BY group_id LOOP
            UPDATE catalog_group SET enrolled_count = enrolled_count - change.delta WHERE id = change.group_id;
        END LOOP;
    ELSE
        FOR change IN SELECT group_id, sum(delta) AS delta FROM (
                          SELECT group_id, -1 AS delta FROM old_rows WHERE status = 'active'
                          UNION ALL
                          SELECT group_id, 1 FROM new_rows WHERE status = 'active') moved
                       GROUP BY group_id HAVING sum(delta) <> 0 ORDER BY group_id LOOP
            UPDATE catalog_group SET enrolled_count = enrolled_count + change.delta WHERE id = change.group_id;
        END LOOP;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER enrollment_count_insert AFTER INSERT ON enrollment_enrollment
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kruzhok_enrollment_count();
CREATE TRIGGER enrollment_count_delete AFTER DELETE ON enrollment_enrollment
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kruzhok_enrollment_count();
CREATE TRIGGER enrollment_count_update AFTER UPDATE ON enrollment_enrollment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kruzhok_enrollment_count();
"""

# Back to the row trigger of 0002.
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS enrollment_count_insert ON enrollment_enrollment;
DROP TRIGGER IF EXISTS enrollment_count_delete ON enrollment_enrollment;
DROP TRIGGER IF EXISTS enrollment_count_update ON enrollment_enrollment;
DROP FUNCTION IF EXISTS kruzhok_enrollment_count();

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


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0006_status_change_outbox"),
        ("catalog", "0005_programme_search"),
    ]

    operations = [
        sql_per_vendor(
            forward={"postgresql": [POSTGRES_UP], "sqlite": []},
            backward={"postgresql": [POSTGRES_DOWN], "sqlite": []},
        ),
    ]
