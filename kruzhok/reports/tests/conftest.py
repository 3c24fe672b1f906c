"""The demo town built once per module, with the municipal report generated from it (files read back by tests)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import override_settings

from kruzhok.accounts.models import User
from kruzhok.core.jobs import job_run
from kruzhok.core.models import Job
from kruzhok.demo.spec import MAIN
from kruzhok.demo.town import demo_town_build
from kruzhok.demo.wipe import registry_data_wipe
from kruzhok.reports.models import GeneratedReport
from kruzhok.territory.models import Municipality

SEED = 7
TODAY = dt.date(2025, 10, 15)
START = dt.date(2025, 1, 1)
TEXTS = {"prospects": "Развитие сетевого взаимодействия\nҚосымша білім: ә ғ қ ң ө ұ ү һ і",
         "goals": "Создание условий"}


def generate(*, template: str, territory, language: str, actor, texts=None) -> GeneratedReport:
    from kruzhok.reports.services import report_order

    report = report_order(actor=actor, template=template, territory=territory, start=START, end=TODAY,
                          language=language, texts=texts or {})
    job_run(report.job_id)  # already run on commit when the tasks backend is immediate
    report.refresh_from_db()
    report.job.refresh_from_db()
    assert report.job.status == Job.Status.DONE, report.job.error
    return report


@pytest.fixture(scope="module")
def demo_reports(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        registry_data_wipe()
        demo_town_build(seed=SEED, today=TODAY)
        municipality = Municipality.objects.get(code=MAIN.code)
        municipality.name_kk = "Солтүстік қаласы"
        municipality.save(update_fields=["name_kk"])
        admin = User.objects.get(email="municipality@example.org")
        reports = {language: generate(template="municipal", territory=municipality, language=language, actor=admin,
                                      texts=TEXTS) for language in ("ru", "kk")}
        reports["weekly"] = generate(template="weekly", territory=municipality, language="ru", actor=admin)
        files = {language: {fmt: getattr(report, fmt).read() for fmt in ("docx", "xlsx")}
                 for language, report in reports.items()}
        for language, report in reports.items():
            files[language]["pdf_path"] = media / report.pdf.name
        yield SimpleNamespace(municipality=municipality, admin=admin, reports=reports, files=files, media=media)
        GeneratedReport.objects.all().delete()
        registry_data_wipe()
