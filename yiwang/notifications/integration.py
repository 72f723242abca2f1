"""Notifications plugged into cases: tell the applicant about their case's progress.

`register()` (called from NotificationsConfig.ready) makes `notify_case_event` a consumer of
the cases outbox, which calls it once per event.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiwang.core.actors import SYSTEM
from yiwang.notifications import actions
from yiwang.notifications.casefacts import event_case, event_stage, facts_of

logger = logging.getLogger(__name__)

CONSUMER_NAME = "notifications.applicant"

# What the applicant reads, per stage of the 办件 state machine (DOMAIN §3.2.1). Stages not
# listed (internal review steps) send nothing.
STAGE_TEXT: dict[str, str | Promise] = {
    "SUBMITTED": _("已提交，等待收件"),
    "RECEIVED": _("已收件"),
    "RETURNED": _("已退件，请查看退件理由"),
    "ACCEPTED": _("已受理"),
    "CORRECTION_REQUIRED": _("需要补齐补正材料，请一次性补正"),
    "NOT_ACCEPTED": _("不予受理，请查看理由"),
    "SPECIAL_PROCEDURE": _("进入特别程序，所需时间不计入办理时限"),
    "SUSPENDED": _("已挂起"),
    "DECIDED": _("已作出决定"),
    "DELIVERING": _("结果待领取或送达中"),
    "COMPLETED": _("已办结，欢迎评价"),
    "WITHDRAWN": _("已撤回"),
    "TERMINATED": _("已终止"),
    "DEADLINE_WARNING": _("即将到期，请及时处理"),
}


# 一件事: the applicant hears of the bundle once when it is submitted and once when it is
# finished; of its sub-cases only what asks them to act (or ends one without the licence).
BUNDLE_TEXT: dict[str, str | Promise] = {
    "bundle.submitted": _("已提交，各事项将按编排同步办理"),
    "bundle.finished": _("已全部办结，请查看结果通知书"),
}
SUB_CASE_STAGES = frozenset(
    {"CORRECTION_REQUIRED", "RETURNED", "NOT_ACCEPTED", "TERMINATED", "DEADLINE_WARNING"}
)


def notify_bundle_event(event: Any) -> None:
    """One message per bundle event, to the account that applied."""
    from yiwang.identity.models import User

    payload = getattr(event, "payload", None) or {}
    text = BUNDLE_TEXT.get(str(getattr(event, "kind", "")))
    user_id = payload.get("applicant_user_id")
    user = User.objects.filter(pk=int(user_id)).first() if isinstance(user_id, int) else None
    if text is None or user is None:
        return
    actions.notify(
        actor=SYSTEM,
        recipient=user,
        template="bundle_event",
        context={
            "bundle_no": payload.get("bundle_no", ""),
            "bundle": payload.get("bundle_name", ""),
            "event": text,
        },
        dedupe_key=f"bundle:{payload.get('bundle_no', '')}:{event.kind}",
    )


def notify_case_event(event: Any) -> None:
    """Outbox consumer: one message to the applicant for each stage they should hear of."""
    if str(getattr(event, "kind", "")).startswith("bundle."):
        notify_bundle_event(event)
        return
    stage = event_stage(event)
    text = STAGE_TEXT.get(stage)
    case = event_case(event)
    if text is None or case is None:
        return
    if getattr(case, "bundle_case_id", None) and stage not in SUB_CASE_STAGES:
        return
    facts = facts_of(case)
    if facts.applicant is None or not facts.project_no:
        logger.warning("case event %s without applicant or number; not notified", stage)
        return
    event_id = getattr(event, "pk", None) or getattr(event, "id", None) or stage
    actions.notify(
        actor=SYSTEM,
        recipient=facts.applicant,
        template="case_event",
        context={"project_no": facts.project_no, "task": facts.task_name, "event": text},
        dedupe_key=f"case:{facts.project_no}:{event_id}",
    )


def register() -> None:
    """Consume every case event from the cases outbox."""
    from yiwang.cases.outbox import register_consumer

    register_consumer(CONSUMER_NAME, notify_case_event)
