from django.db import migrations

from kruzhok.core.dictionaries import sync_reject_reasons


def load(apps, schema_editor):
    sync_reject_reasons(apps.get_model("enrollment", "RejectReason"))


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0002_capacity_triggers")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
