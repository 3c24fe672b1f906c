from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kruzhok.reports"
    label = "reports"
    verbose_name = _("Отчёты")

    def ready(self) -> None:
        from kruzhok.reports import jobs

        jobs.schedules_register()
