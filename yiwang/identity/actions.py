"""The write path of the identity domain: registration, log-in with lock-out, tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core import audit
from yiwang.core.actors import SYSTEM, is_system
from yiwang.core.crypto import encrypt_text, lookup_hash, mask_number
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.core.national_numbers import check_resident_id, check_uscc, normalise
from yiwang.identity import errors
from yiwang.identity.choices import (
    AccountKind,
    ApplicantType,
    DocumentType,
    OperatorScope,
    RealNameLevel,
)
from yiwang.identity.models import ApiToken, LegalPerson, Operator, Person, User
from yiwang.regions.choices import Role
from yiwang.regions.models import Region
from yiwang.regions.permissions import has_role

DOCUMENT_CONTEXT = "person.document"
# Checked against when the account does not exist, so both paths cost one hash.
_DUMMY_PASSWORD_HASH = make_password("yiwang-timing-equaliser")


def document_hash(document_type: str, number: str) -> str:
    """The lookup key of a document number."""
    return lookup_hash(f"{document_type}:{number}", context=DOCUMENT_CONTEXT)


def clean_document(document_type: str, number: str) -> str:
    """Validate a document number by its type; resident IDs by GB 11643."""
    if document_type not in DocumentType.values:
        raise DomainError("document_type_unknown", _("不支持的证件类型。"), field="document_type")
    if document_type == DocumentType.RESIDENT_ID:
        return check_resident_id(number, field="document_number")
    cleaned = normalise(number)
    if not (5 <= len(cleaned) <= 20) or not cleaned.isalnum():
        raise DomainError(
            "document_number_format",
            _("证件号码格式不正确。"),
            field="document_number",
        )
    return cleaned


def find_person(document_type: str, number: str) -> Person | None:
    """Find a person by document number (used by clerks who were shown the document)."""
    cleaned = clean_document(document_type, number)
    return Person.objects.filter(
        document_type=document_type, document_hash=document_hash(document_type, cleaned)
    ).first()


def find_legal_person(uscc: str, *, field: str = "uscc") -> LegalPerson | None:
    """Find a registered legal person by its unified social credit code (checked, GB 32100)."""
    return LegalPerson.objects.filter(uscc=check_uscc(uscc, field=field)).first()


@transaction.atomic
def register_citizen(
    *,
    actor: Any,
    name: str,
    document_type: str,
    document_number: str,
    phone: str,
    password: str,
    region: Region,
    real_name_level: int = RealNameLevel.BASIC,
) -> User:
    """Create a citizen's account and natural-person record in one step."""
    number = clean_document(document_type, document_number)
    name = name.strip()
    if not name:
        raise DomainError("name_required", _("请填写姓名。"), field="name")
    phone = normalise(phone)
    if len(phone) != 11 or not phone.isdigit() or not phone.startswith("1"):
        raise DomainError("phone_format", _("手机号码须为以 1 开头的 11 位数字。"), field="phone")
    key = document_hash(document_type, number)
    if Person.objects.filter(document_type=document_type, document_hash=key).exists():
        raise Conflict("person_exists", _("该证件号码已注册。"))
    if User.objects.filter(phone=phone).exists():
        raise Conflict("phone_taken", _("该手机号码已注册。"))
    user = User.objects.create_user(
        username=f"p{secrets.token_hex(6)}",
        password=password,
        display_name=name,
        phone=phone,
        kind=AccountKind.CITIZEN,
        real_name_level=real_name_level,
    )
    birth = None
    if document_type == DocumentType.RESIDENT_ID:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    person = Person.objects.create(
        user=user,
        name=name,
        document_type=document_type,
        document_hash=key,
        document_encrypted=encrypt_text(number, context=DOCUMENT_CONTEXT),
        document_masked=mask_number(number),
        birth_date=birth,
        region=region,
    )
    audit.record(
        "identity.citizen_registered",
        actor=actor,
        subject=person,
        after={"name": name, "document": person.document_masked, "region": region.code},
    )
    return user


@transaction.atomic
def register_legal_person(
    *,
    actor: Any,
    name: str,
    uscc: str,
    applicant_type: str,
    legal_representative: str,
    region: Region,
) -> LegalPerson:
    """Record an enterprise or organisation by its unified social credit code."""
    code = check_uscc(uscc)
    if applicant_type not in ApplicantType.values or applicant_type == ApplicantType.NATURAL_PERSON:
        raise DomainError("applicant_type_invalid", _("法人类型不正确。"), field="applicant_type")
    if LegalPerson.objects.filter(uscc=code).exists():
        raise Conflict("legal_person_exists", _("该统一社会信用代码已登记。"))
    legal_person = LegalPerson.objects.create(
        name=name.strip(),
        uscc=code,
        applicant_type=applicant_type,
        legal_representative=legal_representative.strip(),
        region=region,
    )
    audit.record(
        "identity.legal_person_registered",
        actor=actor,
        subject=legal_person,
        after={"name": legal_person.name, "uscc": code},
    )
    return legal_person


@transaction.atomic
def authorise_operator(
    *,
    actor: Any,
    legal_person: LegalPerson,
    user: User,
    scopes: list[str],
    valid_until: dt.date | None = None,
) -> Operator:
    """Let `user` act for `legal_person` within `scopes` (granted by a manager or the system)."""
    unknown = set(scopes) - set(OperatorScope.values)
    if unknown or not scopes:
        raise DomainError("operator_scope_invalid", _("授权范围不正确。"), field="scopes")
    if not is_system(actor) and not _may_manage_operators(actor, legal_person):
        raise PermissionDenied()
    operator, _created = Operator.objects.update_or_create(
        legal_person=legal_person,
        user=user,
        defaults={"scopes": sorted(scopes), "valid_until": valid_until, "is_active": True},
    )
    if user.kind == AccountKind.CITIZEN:
        user.kind = AccountKind.ENTERPRISE
        user.save(update_fields=["kind"])
    audit.record(
        "identity.operator_authorised",
        actor=actor,
        subject=operator,
        after={"user": user.username, "scopes": operator.scopes, "valid_until": str(valid_until)},
    )
    return operator


def _may_manage_operators(actor: Any, legal_person: LegalPerson) -> bool:
    # Scopes are a short JSON list; checked in Python because SQLite has no JSON `contains`.
    posts = Operator.objects.filter(legal_person=legal_person, user=actor)
    return any(post.may(OperatorScope.MANAGE) for post in posts) or has_role(
        actor, Role.SYSTEM_ADMIN
    )


def resolve_login(identifier: str) -> User | None:
    """Find the account for a phone number, an ID number or a staff user name."""
    value = normalise(identifier)
    if len(value) == 11 and value.isdigit():
        return User.objects.filter(phone=value).first()
    if len(value) == 18:
        key = document_hash(DocumentType.RESIDENT_ID, value)
        person = (
            Person.objects.filter(document_type=DocumentType.RESIDENT_ID, document_hash=key)
            .select_related("user")
            .first()
        )
        if person is not None and person.user is not None:
            return person.user
    return User.objects.filter(username=identifier.strip()).first()


def attempt_login(identifier: str, password: str) -> User:
    """Check a log-in; count failures, lock after too many, and audit lock and unlock."""
    candidate = resolve_login(identifier) if identifier else None
    if candidate is None:
        check_password(password, _DUMMY_PASSWORD_HASH)
        raise errors.login_failed()
    now = timezone.now()
    failure: Exception | None = None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=candidate.pk)
        if user.is_locked(now):
            failure = errors.account_locked(_format_local(user.locked_until))
        elif not user.check_password(password) or not user.is_active:
            user.failed_login_count += 1
            fields = ["failed_login_count"]
            if user.failed_login_count >= settings.YIWANG_LOGIN_MAX_FAILURES:
                user.locked_until = now + dt.timedelta(minutes=settings.YIWANG_LOGIN_LOCK_MINUTES)
                fields.append("locked_until")
                audit.record(
                    "identity.account_locked",
                    actor=SYSTEM,
                    subject=user,
                    after={
                        "failed_login_count": user.failed_login_count,
                        "locked_until": user.locked_until.isoformat(),
                    },
                )
            user.save(update_fields=fields)
            failure = (
                errors.account_locked(_format_local(user.locked_until))
                if user.locked_until and user.locked_until > now
                else errors.login_failed()
            )
        else:
            if user.locked_until is not None:
                audit.record(
                    "identity.account_unlocked",
                    actor=SYSTEM,
                    subject=user,
                    before={"locked_until": user.locked_until.isoformat()},
                    after={"reason": "lock period over"},
                )
            if user.failed_login_count or user.locked_until:
                user.failed_login_count = 0
                user.locked_until = None
                user.save(update_fields=["failed_login_count", "locked_until"])
    # Raised after the block so the failure count and the lock are committed, not rolled back.
    if failure is not None:
        raise failure
    return user


def _format_local(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def unlock_account(*, actor: Any, user: User) -> User:
    """A system administrator (or a window clerk after checking ID) lifts a lock-out."""
    if not has_role(actor, Role.SYSTEM_ADMIN, Role.WINDOW_CLERK):
        raise PermissionDenied()
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.locked_until is None and locked.failed_login_count == 0:
        raise DomainError("account_not_locked", _("该账户未被锁定。"))
    before = {
        "locked_until": locked.locked_until.isoformat() if locked.locked_until else None,
        "failed_login_count": locked.failed_login_count,
    }
    locked.locked_until = None
    locked.failed_login_count = 0
    locked.save(update_fields=["locked_until", "failed_login_count"])
    audit.record(
        "identity.account_unlocked",
        actor=actor,
        subject=locked,
        before=before,
        after={"reason": "unlocked by staff"},
    )
    return locked


def token_hash(raw: str) -> str:
    """Tokens are long random strings, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_api_token(
    *, actor: Any, user: User, name: str, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for a system account; the raw token is returned once, never stored."""
    if not is_system(actor) and not has_role(actor, Role.SYSTEM_ADMIN):
        raise PermissionDenied()
    raw = "yw_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name, user=user, prefix=raw[:8], token_hash=token_hash(raw), expires_at=expires_at
    )
    audit.record("identity.api_token_issued", actor=actor, subject=token, after={"name": name})
    return token, raw


def user_for_token(raw: str) -> User | None:
    """The active account behind a bearer token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token.user
