"""Accounts, natural persons, legal persons and their operators, system API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.identity.choices import (
    AccountKind,
    ApplicantType,
    DocumentType,
    OperatorScope,
    RealNameLevel,
)


class UserManager(BaseUserManager["User"]):
    """Creates accounts; real flows go through identity.actions."""

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("kind", AccountKind.STAFF)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """用户账户: one login, for a citizen, an enterprise operator, a staff member or a system."""

    username = models.CharField(_("用户名"), max_length=64, unique=True)
    display_name = models.CharField(_("名称"), max_length=60)
    phone = models.CharField(_("手机号码"), max_length=11, unique=True, null=True, blank=True)
    kind = models.CharField(_("账户类型"), max_length=16, choices=AccountKind.choices)
    real_name_level = models.PositiveSmallIntegerField(
        _("实名等级"), choices=RealNameLevel.choices, default=RealNameLevel.BASIC
    )
    is_active = models.BooleanField(_("有效"), default=True)
    is_staff = models.BooleanField(_("可使用运维后台"), default=False)
    failed_login_count = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def is_locked(self, now: Any = None) -> bool:
        """True while a lock-out after repeated failed log-ins is in force."""
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class Person(models.Model):
    """自然人: a natural person, with the document number kept encrypted and hashed."""

    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    name = models.CharField(_("名称"), max_length=60)
    document_type = models.CharField(_("证件类型"), max_length=3, choices=DocumentType.choices)
    # Keyed hash to look the number up; the ciphertext to show it to those who may see it.
    document_hash = models.CharField(max_length=64, editable=False)
    document_encrypted = models.TextField(editable=False)
    document_masked = models.CharField(_("证件号码"), max_length=32, editable=False)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("居住地"),
        on_delete=models.PROTECT,
        related_name="residents",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "document_hash"], name="person_document_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.document_masked})"


class LegalPerson(models.Model):
    """法人及其他组织: an enterprise or organisation, keyed by its USCC (public by law)."""

    name = models.CharField(_("名称"), max_length=120)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    applicant_type = models.CharField(_("申请人类型"), max_length=1, choices=ApplicantType.choices)
    legal_representative = models.CharField(_("法定代表人"), max_length=60)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("登记地"),
        on_delete=models.PROTECT,
        related_name="legal_persons",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("法人")
        verbose_name_plural = _("法人")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Operator(models.Model):
    """经办人: a user authorised to act for a legal person within stated scopes."""

    legal_person = models.ForeignKey(
        LegalPerson, on_delete=models.CASCADE, related_name="operators"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="operator_posts")
    scopes = models.JSONField(_("授权范围"), default=list)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("经办人")
        verbose_name_plural = _("经办人")
        constraints = [
            models.UniqueConstraint(fields=["legal_person", "user"], name="operator_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.legal_person}"

    def may(self, scope: OperatorScope, today: Any = None) -> bool:
        """True if this authorisation is in force and covers `scope`."""
        today = today or timezone.localdate()
        in_time = self.valid_until is None or self.valid_until >= today
        return self.is_active and in_time and str(scope) in self.scopes


class ApiToken(models.Model):
    """A bearer token for another government system; only its hash is stored."""

    name = models.CharField(_("名称"), max_length=80)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=8, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
