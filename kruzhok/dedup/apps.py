from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupConfig(AppConfig):
    name = "kruzhok.dedup"
    label = "dedup"
    verbose_name = _("Дубликаты детей")

    def ready(self) -> None:
        from kruzhok.dedup import jobs, signals  # noqa: F401  (registers the job handler and the key signal)
