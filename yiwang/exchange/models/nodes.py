"""Exchange nodes (security servers), the subsystems they host, the services offered, the
signed message log kept at both ends of every call, and the records a provider serves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.exchange.choices import (
    MemberClass,
    MessageOutcome,
    MessageSide,
    NodeLevel,
    NodeStatus,
)
from yiwang.exchange.protocol import EntryContent


class Node(models.Model):
    """交换节点: a security server (level, department, endpoint, Ed25519 key, heartbeat)."""

    identity = models.CharField(_("节点标识"), max_length=300, unique=True)
    instance = models.CharField(_("实例"), max_length=20)
    member_class = models.CharField(
        _("成员类别"), max_length=8, choices=MemberClass.choices, default=MemberClass.GOV
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("运维部门"),
        on_delete=models.PROTECT,
        related_name="exchange_nodes",
    )
    server_code = models.CharField(_("节点编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=120)
    level = models.PositiveSmallIntegerField(_("层级"), choices=NodeLevel.choices)
    network_zone = models.CharField(_("网络区域"), max_length=40, default="政务外网")
    endpoint_url = models.URLField(_("服务地址"), max_length=300)
    # Raw 32-byte Ed25519 public key, base64url without padding.
    public_key = models.CharField(_("公钥"), max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=NodeStatus.choices, default=NodeStatus.ACTIVE
    )
    last_heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("交换节点")
        verbose_name_plural = _("交换节点")
        ordering = ["level", "identity"]

    def __str__(self) -> str:
        return self.identity


class Subsystem(models.Model):
    """A member's information system hosted on a node: INSTANCE/CLASS/MEMBER/SUBSYSTEM."""

    identity = models.CharField(_("子系统标识"), max_length=300, unique=True)
    node = models.ForeignKey(
        Node, verbose_name=_("所在节点"), on_delete=models.PROTECT, related_name="subsystems"
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("成员部门"),
        on_delete=models.PROTECT,
        related_name="exchange_subsystems",
    )
    code = models.CharField(_("子系统编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("子系统")
        verbose_name_plural = _("子系统")
        ordering = ["identity"]

    def __str__(self) -> str:
        return self.identity


class ExchangeService(models.Model):
    """A resource served by a provider subsystem: SUBSYSTEM identity + '/' + service code."""

    identity = models.CharField(_("服务标识"), max_length=300, unique=True)
    subsystem = models.ForeignKey(
        Subsystem, verbose_name=_("提供子系统"), on_delete=models.PROTECT, related_name="services"
    )
    resource = models.ForeignKey(
        "exchange.Resource",
        verbose_name=_("信息资源"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    service_code = models.CharField(_("服务编码"), max_length=60)
    # Name of the provider function in yiwang.exchange.providers' registry.
    handler = models.CharField(_("处理程序"), max_length=60, default="records")
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("交换服务")
        verbose_name_plural = _("交换服务")
        ordering = ["identity"]

    def __str__(self) -> str:
        return self.identity


class MessageLog(models.Model):
    """One end's record of one call: the signed headers, both signatures, the outcome.

    Bodies are not kept (they carry personal data); their SHA-256 hashes are, and both
    signatures cover them, so an entry can be verified later against the registry's keys.
    """

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="messages")
    side = models.CharField(_("记录方"), max_length=10, choices=MessageSide.choices)
    message_id = models.CharField(_("消息编号"), max_length=36)
    client_id = models.CharField(_("调用方"), max_length=300)
    service_id = models.CharField(_("服务"), max_length=300)
    user_id = models.CharField(_("用户"), max_length=300)
    authorisation_ref = models.CharField(_("授权编号"), max_length=300)
    purpose = models.CharField(_("用途"), max_length=300)
    request_timestamp = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=300)
    request_signature = models.CharField(max_length=300)
    # The Ed25519 public keys that signed, as registered at the time, so entries still
    # verify after a node rotates its key.
    request_key = models.CharField(max_length=300, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_code = models.CharField(_("结果代码"), max_length=300, blank=True)
    response_timestamp = models.CharField(max_length=300, blank=True)
    response_hash = models.CharField(max_length=300, blank=True)
    response_signature = models.CharField(max_length=300, blank=True)
    response_key = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(_("结果"), max_length=8, choices=MessageOutcome.choices)
    # Keyed hash of the data subject (same as identity's document hash), for "who used my data".
    subject_hash = models.CharField(max_length=64, blank=True, db_index=True)
    items = models.JSONField(_("信息项"), default=list)
    consumer_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("使用部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    provider_department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("提供部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    authorisation = models.ForeignKey(
        "exchange.Authorisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(
        "exchange.Resource", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # SHA-256 of the RFC 8785 form of the entry's signed content: what the ledger anchors.
    digest = models.CharField(max_length=64)
    anchored = models.BooleanField(_("已上链存证"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("交换日志")
        verbose_name_plural = _("交换日志")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A message id is answered once: a replay is refused (and logged as refused).
            models.UniqueConstraint(
                fields=["node", "side", "message_id"],
                condition=models.Q(outcome="ok"),
                name="message_served_once_per_end",
            )
        ]
        indexes = [models.Index(fields=["node", "side", "message_id"])]

    def __str__(self) -> str:
        return f"{self.side}:{self.message_id}"

    def content(self) -> EntryContent:
        """What the entry asserts, to verify its signatures and recompute its digest."""
        return EntryContent(
            node=self.node.identity,
            side=self.side,
            message_id=self.message_id,
            client=self.client_id,
            service=self.service_id,
            user_id=self.user_id,
            authorisation=self.authorisation_ref,
            purpose=self.purpose,
            request_timestamp=self.request_timestamp,
            request_hash=self.request_hash,
            request_signature=self.request_signature,
            request_key=self.request_key,
            response_status=self.response_status,
            response_code=self.response_code,
            response_timestamp=self.response_timestamp,
            response_hash=self.response_hash,
            response_signature=self.response_signature,
            response_key=self.response_key,
            subject_hash=self.subject_hash,
            items=tuple(self.items),
        )

    def problems(self) -> list[str]:
        """Why this entry does not verify (empty when its signatures and digest hold)."""
        content = self.content()
        found = content.problems()
        if content.digest() != self.digest:
            found.append("digest_mismatch")
        return found


class DataRecord(models.Model):
    """A row a provider holds for a resource (归集), served through its node and checked for
    quality. Personal subjects are keyed by the keyed hash of their document number."""

    resource = models.ForeignKey(
        "exchange.Resource", on_delete=models.PROTECT, related_name="records"
    )
    subject_hash = models.CharField(max_length=64, blank=True)
    subject_label = models.CharField(_("记录标识"), max_length=120, blank=True)
    data = models.JSONField(_("数据"), default=dict)
    source_updated_at = models.DateTimeField(_("源数据更新时间"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("资源数据")
        verbose_name_plural = _("资源数据")
        ordering = ["id"]
        indexes = [models.Index(fields=["resource", "subject_hash"])]

    def __str__(self) -> str:
        return f"{self.resource_id}:{self.subject_label or self.pk}"
