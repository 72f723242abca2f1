from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "yiwang.ledger"
    label = "ledger"
    verbose_name = _("存证账本")

    def ready(self) -> None:
        from yiwang.ledger import checks, integration

        checks.register()
        integration.connect()
