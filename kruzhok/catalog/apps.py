from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "kruzhok.catalog"
    label = "catalog"
    verbose_name = _("Организации и программы")

    def ready(self) -> None:
        from kruzhok.catalog import signals  # noqa: F401  (connects the search form's cache to its rows)
