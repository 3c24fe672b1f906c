"""The data migration: a practice's single ``file`` becomes its first ``BestPracticeFile`` and the field goes; back
again, the first file returns into the field."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BEFORE = [("events", "0004_practice_files")]
AFTER = [("events", "0006_remove_bestpractice_file")]


def _apps_at(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_single_file_moves_into_the_table_and_back(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("practices/Программа.pdf", ContentFile(b"%PDF-1.4 old"))
    try:
        apps = _apps_at(BEFORE)
        Organization = apps.get_model("catalog", "Organization")
        Municipality = apps.get_model("territory", "Municipality")
        Region = apps.get_model("territory", "Region")
        BestPractice = apps.get_model("events", "BestPractice")
        region = Region.objects.create(name="Область", code="R", country="RU")
        municipality = Municipality.objects.create(region=region, name="Округ", code="M1")
        organization = Organization.objects.create(municipality=municipality, name="Центр творчества",
                                                   short_name="ЦДТ")
        with_file = BestPractice.objects.create(title="С файлом", organization=organization, description="…",
                                                file=name)
        BestPractice.objects.create(title="Без файла", organization=organization, description="…")
        BestPractice.objects.create(title="Файл потерян", organization=organization, description="…",
                                    file="practices/lost.pdf")

        apps = _apps_at(AFTER)
        rows = {r.practice.title: r for r in apps.get_model("events", "BestPracticeFile").objects.all()}
        assert set(rows) == {"С файлом", "Файл потерян"}
        assert (rows["С файлом"].file.name, rows["С файлом"].title, rows["С файлом"].size) == (
            name, "Программа.pdf", len(b"%PDF-1.4 old"))
        assert rows["Файл потерян"].size == 0  # the row is kept; the download answers 404

        apps = _apps_at(BEFORE)
        back = apps.get_model("events", "BestPractice").objects.get(pk=with_file.pk)
        assert back.file.name == name
    finally:
        _apps_at(MigrationExecutor(connection).loader.graph.leaf_nodes())
