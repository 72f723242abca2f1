from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "yiwang.appointments"
    label = "appointments"
    verbose_name = _("预约与取号")

    def ready(self) -> None:
        # The case page's next step "预约办理时段" (see links.py).
        from yiwang.appointments import links

        links.register()
