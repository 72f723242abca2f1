"""Certificate statuses (with their national codes), operations, holder kinds, uses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HolderKind(models.TextChoices):
    """持证主体类型: who a certificate type is issued to."""

    PERSON = "person", _("自然人")
    LEGAL_PERSON = "legal_person", _("法人及其他组织")


class Status(models.TextChoices):
    """证照状态; `NATIONAL_STATUS_CODES` gives the 住建部 interface code of each."""

    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("暂扣")
    REVOKED = "revoked", _("撤销")
    CANCELLED = "cancelled", _("注销")
    EXPIRED = "expired", _("失效")
    TRANSFERRED = "transferred", _("办理转出")
    RESCINDED = "rescinded", _("吊销")


NATIONAL_STATUS_CODES: dict[str, str] = {
    Status.VALID: "01",
    Status.SUSPENDED: "02",
    Status.REVOKED: "03",
    Status.CANCELLED: "04",
    Status.EXPIRED: "05",
    Status.TRANSFERRED: "06",
    Status.RESCINDED: "07",
}


class Operation(models.TextChoices):
    """证照操作, with the national operation codes as values."""

    ISSUE = "01", _("新发")
    RENEW = "02", _("延续")
    SUSPEND = "03", _("暂扣")
    EXPIRE = "04", _("过期失效")
    TERMINATE = "05", _("注销、撤销、吊销或转出")
    REINSTATE = "06", _("暂扣发还")
    OTHER = "07", _("其他")
    CHANGE = "09", _("变更")
    IMPORT = "99", _("存量导入")


# Status changes a person may ask for: from which statuses, to which status, which operation.
# No I/O here, so pages and the API can ask `can_transition` before offering a button.
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "suspend": (frozenset({Status.VALID}), Status.SUSPENDED, Operation.SUSPEND),
    "reinstate": (frozenset({Status.SUSPENDED}), Status.VALID, Operation.REINSTATE),
    "revoke": (frozenset({Status.VALID, Status.SUSPENDED}), Status.REVOKED, Operation.TERMINATE),
    "cancel": (frozenset({Status.VALID, Status.SUSPENDED}), Status.CANCELLED, Operation.TERMINATE),
    "rescind": (
        frozenset({Status.VALID, Status.SUSPENDED}),
        Status.RESCINDED,
        Operation.TERMINATE,
    ),
    "transfer": (frozenset({Status.VALID}), Status.TRANSFERRED, Operation.TERMINATE),
    "expire": (frozenset({Status.VALID, Status.SUSPENDED}), Status.EXPIRED, Operation.EXPIRE),
}
TRANSITION_LABELS = {
    "suspend": _("暂扣"),
    "reinstate": _("发还"),
    "revoke": _("撤销"),
    "cancel": _("注销"),
    "rescind": _("吊销"),
    "transfer": _("办理转出"),
    "expire": _("过期失效"),
}
# Statuses that end a certificate for good: the revocation bit is set and never cleared.
FINAL_STATUSES = frozenset(
    {Status.REVOKED, Status.CANCELLED, Status.EXPIRED, Status.TRANSFERRED, Status.RESCINDED}
)


def can_transition(status: str, transition: str) -> bool:
    """True if a certificate in `status` may undergo `transition`."""
    entry = TRANSITIONS.get(transition)
    return entry is not None and status in entry[0]


class UseKind(models.TextChoices):
    """用证: how a certificate was used, shown to its holder."""

    SHARE_VIEW = "share_view", _("通过分享链接查看")
    SHARE_DOWNLOAD = "share_download", _("通过分享链接下载")
    REUSE = "reuse", _("办件免提交复用")


class StatusPurpose(models.TextChoices):
    """Bitstring Status List purposes we publish."""

    REVOCATION = "revocation", _("撤销类")
    SUSPENSION = "suspension", _("暂扣")
