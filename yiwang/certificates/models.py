"""Certificate types, issuing keys, certificates, their status lists, events, shares and uses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.certificates.choices import (
    HolderKind,
    Operation,
    Status,
    StatusPurpose,
    UseKind,
)


class CertificateType(models.Model):
    """证照类型: a kind of certificate defined by a ministry (GB/T 36904 type code)."""

    name = models.CharField(_("证照名称"), max_length=120)
    # The defining ministry's USCC (18) + a 3-digit number, e.g. 营业执照 11100000000013127D001.
    type_code = models.CharField(_("证照类型代码"), max_length=21, unique=True)
    defining_authority = models.CharField(_("证照定义机构"), max_length=120)
    holder_kind = models.CharField(_("持证主体类型"), max_length=16, choices=HolderKind.choices)
    # None: valid without end (长期有效) unless the issuer states an end date.
    validity_years = models.PositiveSmallIntegerField(_("有效期（年）"), null=True, blank=True)
    # [{"name": "...", "label": "...", "required": bool}]: the fields printed on the face.
    face_fields: models.JSONField[Any, Any] = models.JSONField(_("照面字段"), default=list)
    template = models.CharField(_("版式"), max_length=40, default="standard")
    number_prefix = models.CharField(_("证号前缀"), max_length=20, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")
        ordering = ["type_code"]

    def __str__(self) -> str:
        return self.name

    @property
    def defining_authority_uscc(self) -> str:
        return self.type_code[:18]


class IssuerKey(models.Model):
    """签发密钥: an issuing department's Ed25519 key; the private half only encrypted."""

    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("颁发机构"),
        on_delete=models.PROTECT,
        related_name="certificate_keys",
    )
    key_id = models.CharField(_("密钥编号"), max_length=20)
    public_multikey = models.CharField(_("公钥"), max_length=64, editable=False)
    # core.crypto.encrypt_text of the secret Multikey, bound to department and key id.
    private_key_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # A retired key signs nothing new but keeps resolving, so what it signed still verifies.
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签发密钥")
        verbose_name_plural = _("签发密钥")
        ordering = ["department_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "key_id"], name="issuer_key_once"),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(retired_at__isnull=True),
                name="one_active_issuer_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} #{self.key_id}"


class IssuingSystem(models.Model):
    """对接签发系统: a system account allowed to issue in a department's name via the VC API."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("系统账户"),
        on_delete=models.CASCADE,
        related_name="issuing_system",
    )
    department = models.ForeignKey(
        "regions.Department",
        verbose_name=_("颁发机构"),
        on_delete=models.PROTECT,
        related_name="issuing_systems",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("对接签发系统")
        verbose_name_plural = _("对接签发系统")

    def __str__(self) -> str:
        return f"{self.user} → {self.department}"


class StatusList(models.Model):
    """A W3C Bitstring Status List of one issuer and purpose (131,072 entries each)."""

    department = models.ForeignKey(
        "regions.Department", on_delete=models.PROTECT, related_name="certificate_status_lists"
    )
    purpose = models.CharField(max_length=12, choices=StatusPurpose.choices)
    number = models.PositiveIntegerField()
    encoded_list = models.TextField()
    # The signed BitstringStatusListCredential, re-signed in the transaction of every change.
    credential_json = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("状态列表")
        verbose_name_plural = _("状态列表")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "purpose", "number"], name="status_list_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department.uscc}/{self.purpose}/{self.number}"


class Certificate(models.Model):
    """电子证照: one version of a certificate, with its signed credential."""

    identifier = models.CharField(_("证照标识"), max_length=100, unique=True)
    serial = models.CharField(_("流水号"), max_length=32)
    version = models.PositiveSmallIntegerField(_("版本号"))
    certificate_type = models.ForeignKey(
        CertificateType,
        verbose_name=_("证照类型"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    certificate_number = models.CharField(_("证照编号"), max_length=80)
    holder_person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("持证自然人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_legal_person = models.ForeignKey(
        "identity.LegalPerson",
        verbose_name=_("持证法人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    holder_name = models.CharField(_("持证主体"), max_length=120)
    holder_code_type = models.CharField(_("持证主体代码类型"), max_length=3)
    # Masked for natural persons (3601**********1234); a USCC is public and shown in full.
    holder_code_display = models.CharField(_("持证主体代码"), max_length=32)
    issuer = models.ForeignKey(
        "regions.Department",
        verbose_name=_("颁发机构"),
        on_delete=models.PROTECT,
        related_name="issued_certificates",
    )
    face_data: models.JSONField[Any, Any] = models.JSONField(_("照面信息"), default=dict)
    area_code = models.CharField(_("管辖属地"), max_length=12, blank=True)
    issue_date = models.DateField(_("发证日期"))
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.VALID
    )
    status_reason = models.CharField(_("状态原因"), max_length=200, blank=True)
    previous_version = models.OneToOneField(
        "self",
        verbose_name=_("上一版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    # The signed VC exactly as issued, encrypted at rest: it carries the holder's full ID number.
    credential_encrypted = models.TextField(editable=False)
    # SHA-256 (hex) of the credential's UTF-8 JSON as stored: what reuse and the ledger cite.
    credential_digest = models.CharField(max_length=64, editable=False)
    verification_method = models.CharField(max_length=200, editable=False)
    # The signed compact payload printed in the QR code (vc/compact.py); holder code masked.
    qr_token = models.TextField(editable=False, blank=True)
    status_index = models.PositiveIntegerField(editable=False)
    status_list_number = models.PositiveIntegerField(editable=False)
    # The case (办件) whose decision issued it. A plain project number rather than a foreign key
    # while the cases app lives on another branch; see integration.py.
    case_project_no = models.CharField(_("办件编号"), max_length=64, blank=True, db_index=True)
    imported = models.BooleanField(_("存量导入"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(holder_person__isnull=False) & Q(holder_legal_person__isnull=True))
                | (Q(holder_person__isnull=True) & Q(holder_legal_person__isnull=False)),
                name="certificate_has_one_holder",
            ),
            models.UniqueConstraint(
                fields=["certificate_type", "issuer", "serial", "version"],
                name="certificate_version_once",
            ),
        ]
        indexes = [models.Index(fields=["certificate_type", "status"])]

    def __str__(self) -> str:
        return f"{self.certificate_type.name} {self.certificate_number}"

    @property
    def is_valid(self) -> bool:
        return self.status == Status.VALID


class CertificateEvent(models.Model):
    """证照操作记录: one issue or status change, with its ledger anchor when there is one."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="events")
    operation = models.CharField(_("操作"), max_length=2, choices=Operation.choices)
    status_before = models.CharField(max_length=12, blank=True)
    status_after = models.CharField(max_length=12)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    actor_label = models.CharField(max_length=150)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    # What was anchored (hex SHA-256 of the RFC 8785 payload) and the ledger row, if any.
    ledger_digest = models.CharField(max_length=64, blank=True)
    ledger_entry_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("证照操作记录")
        verbose_name_plural = _("证照操作记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.operation}"


class CertificateShare(models.Model):
    """分享: a link that shows one certificate to a third party, for a stated purpose, until a
    moment; only a hash of the token is kept."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="shares")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(_("用途"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("证照分享")
        verbose_name_plural = _("证照分享")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.purpose}"


class CertificateUse(models.Model):
    """用证记录: every use of a certificate by someone other than its holder's own viewing."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="uses")
    kind = models.CharField(_("方式"), max_length=16, choices=UseKind.choices)
    purpose = models.CharField(_("用途"), max_length=200)
    case_project_no = models.CharField(_("办件编号"), max_length=64, blank=True)
    share = models.ForeignKey(
        CertificateShare, null=True, blank=True, on_delete=models.PROTECT, related_name="uses"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("使用者"), max_length=150)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("用证记录")
        verbose_name_plural = _("用证记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind}"
