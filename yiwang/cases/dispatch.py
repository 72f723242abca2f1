"""One entry for every transition by name, shared by the pages, the JSON API and GovStack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from yiwang.cases import actions
from yiwang.cases.models import Case
from yiwang.cases.queries import LIST_RELATED
from yiwang.core.errors import DomainError
from yiwang.regions.models import Department

TRANSITION_NAMES = (
    "submit",
    "receive",
    "return_case",
    "request_correction",
    "submit_correction",
    "accept",
    "not_accept",
    "review",
    "start_special",
    "end_special",
    "suspend",
    "resume",
    "extend",
    "decide",
    "issue_result",
    "start_delivery",
    "complete",
    "withdraw",
    "terminate",
    "verify_commitment",
    # 跨域通办 (actions/crossarea.py)
    "proxy_check",
    "proxy_return",
    "proxy_forward",
    "return_result",
    "hall_handover",
    "assign_joint",
)
CROSS_AREA_NAMES = frozenset(TRANSITION_NAMES[-6:])


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)[:2000]


def _int_keys(value: Any, field: str) -> dict[int, Any]:
    if not value:
        return {}
    if not isinstance(value, Mapping):
        raise DomainError("input_invalid", _("提交的数据格式不正确。"), field=field)
    try:
        return {int(key): item for key, item in value.items()}
    except (TypeError, ValueError):
        raise DomainError("input_invalid", _("提交的数据格式不正确。"), field=field) from None


def _dates(value: Any) -> dict[int, dt.date]:
    out: dict[int, dt.date] = {}
    for key, item in _int_keys(value, "deferred").items():
        try:
            out[key] = item if isinstance(item, dt.date) else dt.date.fromisoformat(str(item))
        except ValueError:
            raise DomainError("date_invalid", _("日期格式不正确。"), field="deferred") from None
    return out


def perform(actor: Any, case: Case, name: str, data: Mapping[str, Any]) -> Case:
    """Run the named transition with the fields it takes from `data`."""
    if name not in TRANSITION_NAMES:
        raise DomainError("transition_unknown", _("未知的操作。"), field="action")
    if name in CROSS_AREA_NAMES:
        return _perform_cross_area(actor, case, name, data)
    if name == "submit":
        return actions.submit_draft(actor=actor, case=case)
    if name == "receive":
        return actions.receive_case(actor=actor, case=case, explain=_text(data, "explain"))
    if name == "return_case":
        return actions.return_case(actor=actor, case=case, reason=_text(data, "reason"))
    if name == "request_correction":
        rejections = {k: str(v) for k, v in _int_keys(data.get("rejections"), "rejections").items()}
        return actions.request_correction(
            actor=actor, case=case, rejections=rejections, explain=_text(data, "explain")
        )
    if name == "submit_correction":
        return actions.submit_correction(actor=actor, case=case)
    if name == "accept":
        ids = data.get("joint_department_ids") or []
        if not isinstance(ids, list) or not all(str(i).isdigit() for i in ids):
            raise DomainError("input_invalid", _("提交的数据格式不正确。"), field="joint")
        joint = list(Department.objects.filter(pk__in=[int(i) for i in ids]))
        if len(joint) != len(set(ids)):
            raise DomainError("department_unknown", _("联办部门不存在。"), field="joint")
        return actions.accept_case(
            actor=actor,
            case=case,
            mode=_text(data, "mode") or "normal",
            deferred=_dates(data.get("deferred")),
            joint_departments=joint,
            explain=_text(data, "explain"),
        )
    if name == "not_accept":
        return actions.not_accept(actor=actor, case=case, reason=_text(data, "reason"))
    if name == "review":
        return actions.review_case(
            actor=actor, case=case, opinion=_text(data, "opinion"), explain=_text(data, "explain")
        )
    if name == "start_special":
        return actions.start_special_procedure(
            actor=actor,
            case=case,
            special_type=_text(data, "special_type"),
            reason=_text(data, "reason"),
            duration_explain=_text(data, "duration_explain"),
        )
    if name == "end_special":
        return actions.end_special_procedure(actor=actor, case=case, result=_text(data, "result"))
    if name == "suspend":
        return actions.suspend_case(actor=actor, case=case, reason=_text(data, "reason"))
    if name == "resume":
        return actions.resume_case(actor=actor, case=case, explain=_text(data, "explain"))
    if name == "extend":
        days = data.get("days")
        if days is not None and not str(days).isdigit():
            raise DomainError("input_invalid", _("延长天数须为整数。"), field="days")
        return actions.extend_case(
            actor=actor,
            case=case,
            reason=_text(data, "reason"),
            days=None if days in (None, "") else int(str(days)),
        )
    if name == "decide":
        granted = data.get("granted")
        if isinstance(granted, str):
            granted = granted in {"1", "true", "yes", "on"}
        if not isinstance(granted, bool):
            raise DomainError("decision_required", _("请选择准予或不予。"), field="granted")
        return actions.decide_case(
            actor=actor,
            case=case,
            granted=granted,
            reason=_text(data, "reason"),
            remedy_notice=_text(data, "remedy_notice"),
        )
    if name == "issue_result":
        return actions.issue_result(actor=actor, case=case)
    if name == "start_delivery":
        return actions.start_delivery(
            actor=actor, case=case, method=_text(data, "method") or "window"
        )
    if name == "complete":
        return actions.complete_case(actor=actor, case=case, explain=_text(data, "explain"))
    if name == "verify_commitment":
        actions.verify_commitment(
            actor=actor, case=case, opinion=_text(data, "opinion"), explain=_text(data, "explain")
        )
        return Case.objects.select_related(*LIST_RELATED).get(pk=case.pk)
    if name == "withdraw":
        return actions.withdraw_case(actor=actor, case=case, reason=_text(data, "reason"))
    return actions.terminate_case(actor=actor, case=case, reason=_text(data, "reason"))


def _perform_cross_area(actor: Any, case: Case, name: str, data: Mapping[str, Any]) -> Case:
    if name == "proxy_check":
        return actions.proxy_check(actor=actor, case=case, explain=_text(data, "explain"))
    if name == "proxy_return":
        return actions.proxy_return(actor=actor, case=case, reason=_text(data, "reason"))
    if name == "proxy_forward":
        return actions.proxy_forward(
            actor=actor,
            case=case,
            channel=_text(data, "channel"),
            tracking_no=_text(data, "tracking_no")[:40],
            explain=_text(data, "explain"),
        )
    if name == "return_result":
        return actions.return_result(actor=actor, case=case, explain=_text(data, "explain"))
    if name == "hall_handover":
        return actions.hall_handover(actor=actor, case=case, explain=_text(data, "explain"))
    raw = _text(data, "department_id")
    department = Department.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if department is None:
        raise DomainError("department_unknown", _("联办部门不存在。"), field="department_id")
    actions.assign_joint_part(
        actor=actor,
        case=case,
        department=department,
        step_name=_text(data, "step_name"),
        explain=_text(data, "explain"),
    )
    return Case.objects.select_related(*LIST_RELATED).get(pk=case.pk)


def allowed_for(actor: Any, case: Case) -> list[str]:
    """The transitions this actor may start on the case now (for buttons and the API)."""
    from yiwang.cases import workflow
    from yiwang.cases.permissions import may_perform, may_review

    facts = actions.facts_for(case)
    names = []
    for transition in workflow.available(facts):
        if transition.name in {"deem_accept", "proxy_receive"}:
            continue
        if transition.name == "review":
            tasks = case.review_tasks.filter(kind="review", done_at__isnull=True)
            if any(may_review(actor, t) for t in tasks.select_related("department__region")):
                names.append("review")
            continue
        if any(may_perform(actor, case, who) for who in transition.performers):
            names.append(transition.name)
    # 告知承诺 后核查 is not a state change: offered while the verification task is open.
    checks = case.review_tasks.filter(kind="post_verification", done_at__isnull=True)
    if any(may_review(actor, t) for t in checks.select_related("department__region")):
        names.append("verify_commitment")
    return names
