"""Entry statuses and the entry kinds other modules anchor."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryStatus(models.TextChoices):
    """Where an entry stands: registered, or sealed into the signed log."""

    PENDING = "pending", _("已登记，等待记入账本")
    SEQUENCED = "sequenced", _("已记入账本")


# Kinds are dotted lower-case names chosen by the anchoring module ("case.accepted",
# "certificate.issued", "exchange.call"). The ones below are the kinds Yiwang itself writes;
# the page shows a label for them and the raw kind for any other.
KIND_LABELS = {
    "case": _("办件"),
    "certificate": _("电子证照"),
    "exchange": _("数据共享"),
    "catalog": _("事项清单"),
    "department": _("部门"),
    "external": _("外部系统存证"),
}
