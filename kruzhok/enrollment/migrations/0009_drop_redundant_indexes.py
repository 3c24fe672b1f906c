"""Indexes that a wider index already answers, dropped: each costs a write on every application (the rush) and
every enrollment (an import), and none is read.

* ``enrollment.child_id``, ``enrollment.group_id``, ``enrollment.status`` — answered by ``(child, status)`` and
  ``(group, status)``; a status alone (four values) is never a useful index;
* ``application.group_id``, ``application.status`` — answered by ``(group, status, submitted_at)``;
* on PostgreSQL, the ``varchar_pattern_ops`` twins of both ``status`` columns and of ``application.idempotency_key``
  that Django adds for ``LIKE 'prefix%'`` — nothing searches them by prefix (the key is unique and looked up by
  equality).

The fields' state changes (``db_index=False``) without Django's SQLite table rebuild (which would also drop the
capacity triggers of migrations 0002, 0005 and 0007); the indexes are dropped by name, recreated on reversal.
"""

from django.db import migrations, models
from django.db.models import deletion

from kruzhok.core.migration_sql import indexes_dropped

PLAIN = {
    "enrollment_enrollment_child_id_0924ff5a": ("enrollment_enrollment", "child_id"),
    "enrollment_enrollment_group_id_8cd1c1fb": ("enrollment_enrollment", "group_id"),
    "enrollment_enrollment_status_ff3556a4": ("enrollment_enrollment", "status"),
    "enrollment_application_group_id_673d8f58": ("enrollment_application", "group_id"),
    "enrollment_application_status_27d589be": ("enrollment_application", "status"),
}
LIKE = {
    "enrollment_enrollment_status_ff3556a4_like": ("enrollment_enrollment", "status"),
    "enrollment_application_status_27d589be_like": ("enrollment_application", "status"),
    "enrollment_application_idempotency_key_bd8d6f60_like": ("enrollment_application", "idempotency_key"),
}


class Migration(migrations.Migration):

    dependencies = [
        ("enrollment", "0008_apply_direct_functions"),
        ("catalog", "0006_group_enrollment_closes_index"),
        ("people", "0003_drop_redundant_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="application",
                    name="group",
                    field=models.ForeignKey(db_index=False, on_delete=deletion.PROTECT, related_name="applications",
                                            to="catalog.group", verbose_name="группа"),
                ),
                migrations.AlterField(
                    model_name="application",
                    name="status",
                    field=models.CharField(choices=[("submitted", "подана"), ("under_review", "на рассмотрении"),
                                                    ("invited", "приглашён"), ("waitlisted", "в очереди"),
                                                    ("enrolled", "зачислен"), ("rejected", "отклонена"),
                                                    ("withdrawn", "отозвана"), ("expired", "истекла")],
                                           default="submitted", max_length=20, verbose_name="статус"),
                ),
                migrations.AlterField(
                    model_name="enrollment",
                    name="child",
                    field=models.ForeignKey(db_index=False, on_delete=deletion.PROTECT, related_name="enrollments",
                                            to="people.child", verbose_name="ребёнок"),
                ),
                migrations.AlterField(
                    model_name="enrollment",
                    name="group",
                    field=models.ForeignKey(db_index=False, on_delete=deletion.PROTECT, related_name="enrollments",
                                            to="catalog.group", verbose_name="группа"),
                ),
                migrations.AlterField(
                    model_name="enrollment",
                    name="status",
                    field=models.CharField(choices=[("active", "обучается"), ("completed", "окончил обучение"),
                                                    ("transferred", "переведён"), ("expelled", "отчислен")],
                                           default="active", max_length=20, verbose_name="статус"),
                ),
            ],
            database_operations=[indexes_dropped(plain=PLAIN, like=LIKE)],
        ),
    ]
