from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterchangeConfig(AppConfig):
    name = "kruzhok.interchange"
    label = "interchange"
    verbose_name = _("Импорт и экспорт")

    def ready(self) -> None:
        from kruzhok.interchange import importer  # noqa: F401  (registers the job handler)
