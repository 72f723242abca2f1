"""The node registry, hosted subsystems, services, provider records and the message log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.exchange import clock, conf, integration, protocol, subjects
from yiwang.exchange.actions._common import clean_text
from yiwang.exchange.choices import MemberClass, MessageOutcome, NodeLevel, NodeStatus
from yiwang.exchange.models import (
    Authorisation,
    DataRecord,
    ExchangeService,
    MessageLog,
    Node,
    Resource,
    Subsystem,
)
from yiwang.exchange.permissions import is_data_authority, may_manage_resource
from yiwang.regions.models import Department


def _segment(value: str, field: str) -> str:
    value = value.strip()
    if len(value) > 40:
        raise DomainError("code_too_long", _("编码最长 40 个字符。"), field=field)
    try:
        protocol.parse_identity(f"A/B/C/{value}")
    except protocol.ProtocolError:
        raise DomainError(
            "code_invalid",
            _("编码只能包含字母、数字、点、下划线和连字符（以字母或数字开头）。"),
            field=field,
        ) from None
    return value


def _check_key(public_key: str) -> str:
    key = public_key.strip()
    if not protocol.is_public_key(key):
        raise DomainError(
            "public_key_invalid",
            _("公钥须为 32 字节 Ed25519 公钥的 base64url 编码（43 个字符）。"),
            field="public_key",
        )
    return key


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(url) > 300:
        raise DomainError(
            "endpoint_invalid", _("服务地址须为 http(s) 网址。"), field="endpoint_url"
        )
    return url.rstrip("/")


@transaction.atomic
def register_node(
    *,
    actor: Any,
    department: Department,
    server_code: str,
    name: str,
    level: int,
    endpoint_url: str,
    public_key: str,
    network_zone: str = "政务外网",
) -> Node:
    """Register a security server with its Ed25519 public key (data administrator)."""
    if not is_data_authority(actor, department.region):
        raise PermissionDenied()
    if level not in NodeLevel.values:
        raise DomainError("choice_invalid", _("选项不正确。"), field="level")
    code = _segment(server_code, "server_code")
    identity = f"{conf.instance()}/{MemberClass.GOV}/{department.uscc}/{code}"
    if Node.objects.filter(identity=identity).exists():
        raise Conflict("node_exists", _("节点 %(id)s 已登记。"), params={"id": identity})
    node = Node.objects.create(
        identity=identity,
        instance=conf.instance(),
        member_class=MemberClass.GOV,
        department=department,
        server_code=code,
        name=clean_text(name, "name", max_length=120),
        level=level,
        network_zone=clean_text(network_zone, "network_zone", max_length=40),
        endpoint_url=_check_url(endpoint_url),
        public_key=_check_key(public_key),
    )
    audit.record(
        "exchange.node_registered",
        actor=actor,
        subject=node,
        after={"identity": identity, "endpoint": node.endpoint_url, "key": node.public_key},
    )
    return node


@transaction.atomic
def update_node(
    *,
    actor: Any,
    node: Node,
    endpoint_url: str | None = None,
    public_key: str | None = None,
    status: str | None = None,
) -> Node:
    """Move a node, rotate its key, or suspend it (data administrator)."""
    locked = (
        Node.objects.select_for_update(of=("self",))
        .select_related("department__region")
        .get(pk=node.pk)
    )
    if not is_data_authority(actor, locked.department.region):
        raise PermissionDenied()
    before = {"endpoint": locked.endpoint_url, "key": locked.public_key, "status": locked.status}
    if endpoint_url is not None:
        locked.endpoint_url = _check_url(endpoint_url)
    if public_key is not None:
        locked.public_key = _check_key(public_key)
    if status is not None:
        if status not in NodeStatus.values:
            raise DomainError("choice_invalid", _("选项不正确。"), field="status")
        locked.status = status
    locked.save()
    audit.record(
        "exchange.node_updated",
        actor=actor,
        subject=locked,
        before=before,
        after={"endpoint": locked.endpoint_url, "key": locked.public_key, "status": locked.status},
    )
    return locked


def record_heartbeat(*, node: Node, at: dt.datetime | None = None) -> None:
    """A node says it is alive. Telemetry, not a decision: no audit entry per beat."""
    Node.objects.filter(pk=node.pk).update(last_heartbeat_at=at or clock.now())


@transaction.atomic
def register_subsystem(
    *, actor: Any, node: Node, department: Department, code: str, name: str = ""
) -> Subsystem:
    """Host a member's information system on a node: INSTANCE/CLASS/MEMBER/SUBSYSTEM."""
    if not is_data_authority(actor, department.region):
        raise PermissionDenied()
    code = _segment(code, "code")
    identity = f"{node.instance}/{node.member_class}/{department.uscc}/{code}"
    if Subsystem.objects.filter(identity=identity).exists():
        raise Conflict("subsystem_exists", _("子系统 %(id)s 已登记。"), params={"id": identity})
    subsystem = Subsystem.objects.create(
        identity=identity, node=node, department=department, code=code, name=name.strip()
    )
    audit.record(
        "exchange.subsystem_registered",
        actor=actor,
        subject=subsystem,
        after={"identity": identity, "node": node.identity},
    )
    return subsystem


@transaction.atomic
def register_service(
    *,
    actor: Any,
    subsystem: Subsystem,
    resource: Resource,
    service_code: str,
    handler: str = "records",
) -> ExchangeService:
    """Offer a resource through a provider subsystem (its own department's resource only)."""
    from yiwang.exchange.providers import HANDLERS

    if not may_manage_resource(actor, resource.provider):
        raise PermissionDenied()
    if subsystem.department_id != resource.provider_id:
        raise DomainError(
            "service_not_provider",
            _("只能由资源提供部门的子系统提供该资源的服务。"),
            field="subsystem",
        )
    if handler not in HANDLERS:
        raise DomainError("handler_unknown", _("未知的处理程序。"), field="handler")
    code = _segment(service_code, "service_code")
    identity = f"{subsystem.identity}/{code}"
    if ExchangeService.objects.filter(identity=identity).exists():
        raise Conflict("service_exists", _("服务 %(id)s 已登记。"), params={"id": identity})
    service = ExchangeService.objects.create(
        identity=identity,
        subsystem=subsystem,
        resource=resource,
        service_code=code,
        handler=handler,
    )
    audit.record(
        "exchange.service_registered",
        actor=actor,
        subject=service,
        after={"identity": identity, "resource": resource.code},
    )
    return service


@transaction.atomic
def load_records(*, actor: Any, resource: Resource, rows: Iterable[Mapping[str, Any]]) -> int:
    """Collect (归集) a provider's rows for a resource; subjects are stored as keyed hashes."""
    if not may_manage_resource(actor, resource.provider):
        raise PermissionDenied()
    now = clock.now()
    records: list[DataRecord] = []
    for row in rows:
        subject = row.get("subject")
        data = row.get("data")
        if not isinstance(data, Mapping):
            raise DomainError("record_invalid", _("每行数据须为对象。"), field="rows")
        updated = row.get("updated_at") or now
        if isinstance(updated, str):
            try:
                updated = dt.datetime.fromisoformat(updated)
            except ValueError:
                raise DomainError(
                    "record_invalid", _("更新时间格式不正确。"), field="rows"
                ) from None
        if updated.tzinfo is None:
            raise DomainError("record_invalid", _("更新时间须带时区。"), field="rows")
        records.append(
            DataRecord(
                resource=resource,
                subject_hash=subjects.subject_hash(subject) if subject else "",
                subject_label=subjects.subject_label(subject)
                if subject
                else str(row.get("label", "")),
                data=dict(data),
                source_updated_at=updated,
            )
        )
    DataRecord.objects.bulk_create(records, batch_size=500)
    audit.record(
        "exchange.records_loaded",
        actor=actor,
        subject=resource,
        after={"rows": len(records)},
    )
    return len(records)


def log_message(
    *,
    node: Node,
    content: protocol.EntryContent,
    outcome: str,
    consumer_department_id: int | None = None,
    provider_department_id: int | None = None,
    authorisation: Authorisation | None = None,
    resource_id: int | None = None,
) -> MessageLog:
    """Write one end's log entry and anchor its digest (inside the caller's transaction).

    Called by a node (acting as the system) for every message, refused ones included.
    """
    if outcome not in MessageOutcome.values:
        raise ValueError(outcome)
    payload = content.payload()
    digest = content.digest()
    entry = MessageLog.objects.create(
        node=node,
        side=content.side,
        message_id=content.message_id,
        client_id=content.client,
        service_id=content.service,
        user_id=content.user_id,
        authorisation_ref=content.authorisation,
        purpose=content.purpose,
        request_timestamp=content.request_timestamp,
        request_hash=content.request_hash,
        request_signature=content.request_signature,
        request_key=content.request_key,
        response_status=content.response_status,
        response_code=content.response_code,
        response_timestamp=content.response_timestamp,
        response_hash=content.response_hash,
        response_signature=content.response_signature,
        response_key=content.response_key,
        outcome=outcome,
        subject_hash=content.subject_hash,
        items=list(content.items),
        consumer_department_id=consumer_department_id,
        provider_department_id=provider_department_id,
        authorisation=authorisation,
        resource_id=resource_id,
        digest=digest,
    )
    if integration.anchor(
        "exchange.message", f"{node.identity}#{content.side}#{content.message_id}", payload
    ):
        MessageLog.objects.filter(pk=entry.pk).update(anchored=True)
        entry.anchored = True
    return entry
