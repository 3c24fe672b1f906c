from django.db import migrations

from kruzhok.core.dictionaries import sync_directions


def load(apps, schema_editor):
    sync_directions(apps.get_model("catalog", "Direction"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
