"""Reads of certificates scoped to the asker: holders, operators, staff, the public."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from yiwang.certificates.models import (
    Certificate,
    CertificateShare,
    CertificateType,
    CertificateUse,
)
from yiwang.certificates.permissions import holds, legal_person_ids_for
from yiwang.core.errors import NotFound
from yiwang.regions.queries import scope_for_staff, staff_of

_BASE = ("certificate_type", "issuer", "holder_person", "holder_legal_person")


def certificates_held_by(user: Any) -> models.QuerySet[Certificate]:
    """证照夹: the user's own certificates and those of the enterprises they operate."""
    if not getattr(user, "is_authenticated", False):
        return Certificate.objects.none()
    return Certificate.objects.select_related(*_BASE).filter(
        Q(holder_person__user=user) | Q(holder_legal_person_id__in=legal_person_ids_for(user))
    )


def certificates_for_staff(user: Any) -> models.QuerySet[Certificate]:
    """Certificates issued by departments in the staff member's jurisdiction."""
    return scope_for_staff(
        Certificate.objects.select_related(*_BASE),
        user,
        region_path="issuer__region",
        department_path="issuer",
    )


def certificates_for_user(user: Any) -> models.QuerySet[Certificate]:
    """What the user may open: staff by jurisdiction, everyone else what they hold."""
    if staff_of(user) is not None:
        return certificates_for_staff(user)
    return certificates_held_by(user)


def get_certificate_for_user(user: Any, identifier: str) -> Certificate:
    """One certificate by identifier, if the user may see it (404 otherwise)."""
    certificate = certificates_for_user(user).filter(identifier=str(identifier)[:100]).first()
    if certificate is None:
        raise NotFound()
    return certificate


def get_held_certificate(user: Any, identifier: str) -> Certificate:
    """One certificate the user holds (staff do not hold certificates of their office)."""
    certificate = certificates_held_by(user).filter(identifier=str(identifier)[:100]).first()
    if certificate is None:
        raise NotFound()
    return certificate


def public_certificate(identifier: str) -> Certificate | None:
    """A certificate by its identifier for public verification (no personal data leaves here
    except what the verification page shows)."""
    return (
        Certificate.objects.select_related("issuer", "certificate_type")
        .filter(identifier=str(identifier).strip().upper()[:100])
        .first()
    )


def uses_of(user: Any, certificate: Certificate) -> models.QuerySet[CertificateUse]:
    """The holder sees every use of their certificate."""
    if not holds(user, certificate):
        return CertificateUse.objects.none()
    return CertificateUse.objects.filter(certificate=certificate).select_related("share")


def shares_of(user: Any, certificate: Certificate) -> models.QuerySet[CertificateShare]:
    if not holds(user, certificate):
        return CertificateShare.objects.none()
    return CertificateShare.objects.filter(certificate=certificate)


def get_share_for_user(user: Any, pk: int) -> CertificateShare:
    share = CertificateShare.objects.select_related("certificate").filter(pk=pk).first()
    if share is None or not holds(user, share.certificate):
        raise NotFound()
    return share


def active_share_count(certificate: Certificate) -> int:
    return CertificateShare.objects.filter(
        certificate=certificate, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).count()


def certificate_type_by_code(code: str) -> CertificateType | None:
    return CertificateType.objects.filter(type_code=str(code).strip().upper()[:21]).first()


def valid_certificate_of_type(
    *, person_id: int | None, legal_person_id: int | None, type_code: str
) -> Certificate | None:
    """The holder's newest valid certificate of a type (for 免提交)."""
    holder = (
        Q(holder_person_id=person_id)
        if person_id is not None
        else Q(holder_legal_person_id=legal_person_id)
    )
    if person_id is None and legal_person_id is None:
        return None
    return (
        Certificate.objects.filter(holder, certificate_type__type_code=type_code, status="valid")
        .select_related("certificate_type")
        .order_by("-issue_date", "-id")
        .first()
    )
