from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "kruzhok.monitoring"
    label = "monitoring"
    verbose_name = _("Мониторинг")

    def ready(self) -> None:
        from kruzhok.core.schedule import schedule_on_tick, schedule_register
        from kruzhok.monitoring import jobs  # noqa: F401  (registers the job handler)
        from kruzhok.monitoring.aggregates import aggregates_follow_changes

        # Every night: today's cells and the same day of the two previous years (the trend).
        schedule_register("monitoring.daily", every="daily", kind="monitoring.refresh", params={"years": 2})
        # Between nights: the changed municipalities, within a tick of the change.
        schedule_on_tick("monitoring.changes", aggregates_follow_changes)
