from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "yiwang.ratings"
    label = "ratings"
    verbose_name = _("好差评")

    def ready(self) -> None:
        from yiwang.ratings import integration

        integration.register()
