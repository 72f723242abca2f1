from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "yiwang.exchange"
    label = "exchange"
    verbose_name = _("数据共享交换")

    def ready(self) -> None:
        # 免提交: offer shared data to the cases app when it is installed (another branch).
        from yiwang.exchange import integration

        integration.register_with_cases()
