"""Data: the single ``BestPractice.file`` of each practice becomes a row of ``BestPracticeFile`` (the stored file
stays where it is); backwards, a practice's first file goes back into the field."""

from pathlib import PurePath

from django.core.files.storage import default_storage
from django.db import migrations


def _size(name):
    try:
        return default_storage.size(name)
    except OSError:  # the row survives a file lost from the disk
        return 0


def files_forward(apps, schema_editor):
    BestPractice = apps.get_model("events", "BestPractice")
    BestPracticeFile = apps.get_model("events", "BestPracticeFile")
    rows = [BestPracticeFile(practice_id=pk, file=name, title=PurePath(name).name, size=_size(name),
                             uploaded_at=updated_at)
            for pk, name, updated_at in BestPractice.objects.exclude(file="").values_list("pk", "file", "updated_at")]
    BestPracticeFile.objects.bulk_create(rows, batch_size=500)


def files_backward(apps, schema_editor):
    BestPractice = apps.get_model("events", "BestPractice")
    BestPracticeFile = apps.get_model("events", "BestPracticeFile")
    first: dict[int, str] = {}
    for practice_id, name in BestPracticeFile.objects.order_by("uploaded_at", "pk").values_list("practice", "file"):
        first.setdefault(practice_id, name)
    for practice_id, name in first.items():
        BestPractice.objects.filter(pk=practice_id).update(file=name)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_practice_files"),
    ]

    operations = [
        migrations.RunPython(files_forward, files_backward, elidable=False),
    ]
