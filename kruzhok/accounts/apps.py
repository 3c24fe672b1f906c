from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kruzhok.accounts"
    label = "accounts"
    verbose_name = _("Пользователи и права")

    def ready(self) -> None:
        from kruzhok.accounts import rules

        rules.load()
