from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "yiwang.certificates"
    label = "certificates"
    verbose_name = _("电子证照")

    def ready(self) -> None:
        # Registers the result issuer and the material provider with the cases app when it is
        # installed on this branch; does nothing otherwise (see integration.py).
        from yiwang.certificates import integration

        integration.register_with_cases()
