"""Two SQL functions for the one-statement apply of ``application_submit_direct`` (PostgreSQL only; SQLite never
takes that path).

``enrollment_group_waiting`` is PL/pgSQL on purpose: each query in it takes a fresh snapshot, so called after the
group's row lock it sees the waitlisted applications committed while the statement waited for that lock (a plain
subquery would read the statement's older snapshot). ``enrollment_add_working_days`` is the twin of
``kruzhok.core.calendar.add_working_days`` (Monday–Friday, counted on the local calendar of the given time zone,
the same local time of day); a test compares the two on many dates.
"""

from django.db import migrations

from kruzhok.core.migration_sql import sql_per_vendor

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION enrollment_group_waiting(p_group bigint) RETURNS boolean
    LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
        RETURN EXISTS (SELECT 1 FROM enrollment_application WHERE group_id = p_group AND status = 'waitlisted');
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION enrollment_add_working_days(p_start timestamptz, p_days integer, p_zone text)
    RETURNS timestamptz LANGUAGE sql STABLE AS $$
        SELECT CASE WHEN p_days <= 0 THEN p_start ELSE (
            SELECT ((p_start AT TIME ZONE p_zone)::date + k + (p_start AT TIME ZONE p_zone)::time) AT TIME ZONE p_zone
            FROM generate_series(1, p_days * 2 + 7) AS k
            WHERE extract(isodow FROM (p_start AT TIME ZONE p_zone)::date + k) < 6
            ORDER BY k OFFSET p_days - 1 LIMIT 1) END
    $$
    """,
]
BACKWARD = [
    "DROP FUNCTION IF EXISTS enrollment_add_working_days(timestamptz, integer, text)",
    "DROP FUNCTION IF EXISTS enrollment_group_waiting(bigint)",
]


class Migration(migrations.Migration):

    dependencies = [
        ("enrollment", "0007_enrollment_count_per_statement"),
    ]

    operations = [
        sql_per_vendor(forward={"postgresql": FORWARD, "sqlite": []},
                       backward={"postgresql": BACKWARD, "sqlite": []}),
    ]
