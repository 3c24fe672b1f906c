"""Indexes that a wider index already answers, dropped: every one is written on each insert (an import of
100 000 children writes a row into each), and none is read.

* ``child.municipality_id`` — the leading column of ``(municipality, birth_date)``;
* ``guardianlink.guardian_id`` — the leading column of the unique ``(guardian, child)``;
* on PostgreSQL, the ``varchar_pattern_ops`` twins of ``child.surname`` and ``guardian.phone`` that Django adds for
  ``LIKE 'prefix%'`` — nothing here searches those columns by prefix (names are found by the dedup keys and
  the search index, phones by equality).

The fields' state changes (``db_index=False``) without Django's SQLite table rebuild; the indexes are dropped by
name, and recreated when the migration is reversed.
"""

from django.db import migrations, models
from django.db.models import deletion

from kruzhok.core.migration_sql import indexes_dropped

PLAIN = {
    "people_child_municipality_id_f3d892ef": ("people_child", "municipality_id"),
    "people_guardianlink_guardian_id_bd19450c": ("people_guardianlink", "guardian_id"),
}
LIKE = {
    "people_child_surname_fe3473fc_like": ("people_child", "surname"),
    "people_guardian_phone_8fc7283c_like": ("people_guardian", "phone"),
}


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0002_alter_child_national_id_and_more"),
        ("territory", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="child",
                    name="municipality",
                    field=models.ForeignKey(db_index=False, on_delete=deletion.PROTECT, related_name="children",
                                            to="territory.municipality", verbose_name="муниципалитет проживания"),
                ),
                migrations.AlterField(
                    model_name="guardianlink",
                    name="guardian",
                    field=models.ForeignKey(db_index=False, on_delete=deletion.CASCADE, related_name="links",
                                            to="people.guardian", verbose_name="представитель"),
                ),
            ],
            database_operations=[indexes_dropped(plain=PLAIN, like=LIKE)],
        ),
    ]
