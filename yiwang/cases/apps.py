from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    label = "cases"
    verbose_name = _("办件")

    def ready(self) -> None:
        # 一件事: a sub-case's change may start the next stage or finish the parent.
        from yiwang.cases.actions.bundles import on_case_event
        from yiwang.cases.outbox import register_consumer

        register_consumer("cases.bundles", on_case_event)
