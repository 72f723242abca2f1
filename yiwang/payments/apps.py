from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "yiwang.payments"
    # Prefixed: django-payments and others already use the label "payments".
    label = "yiwang_payments"
    verbose_name = _("网上缴费")

    def ready(self) -> None:
        from yiwang.payments import integration

        integration.register()
