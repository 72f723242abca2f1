"""JSON API of certificates, and the W3C VC API face (`/vc/credentials/verify|issue`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from yiwang.api.auth import TokenAuth
from yiwang.api.schemas import ErrorOut
from yiwang.certificates import actions, queries, ratelimit, rendering
from yiwang.certificates.errors import RateLimited
from yiwang.certificates.models import Certificate
from yiwang.certificates.permissions import issuing_system_department
from yiwang.certificates.verification import MAX_DOCUMENT_BYTES, verify_certificate, verify_document
from yiwang.core import idempotency
from yiwang.core.errors import DomainError, NotFound, PermissionDenied

router = Router(tags=["certificates"])
vc_router = Router(tags=["vc-api"])


class CertificateOut(Schema):
    identifier: str
    name: str
    type_code: str
    certificate_number: str
    holder_name: str
    holder_code: str
    issuer_name: str
    issuer_code: str
    issue_date: dt.date
    valid_until: dt.date | None
    status: str
    version: int
    previous_version: str | None
    face: dict[str, Any]
    verification_url: str

    @staticmethod
    def resolve_name(obj: Certificate) -> str:
        return obj.certificate_type.name

    @staticmethod
    def resolve_type_code(obj: Certificate) -> str:
        return obj.certificate_type.type_code

    @staticmethod
    def resolve_holder_code(obj: Certificate) -> str:
        return obj.holder_code_display

    @staticmethod
    def resolve_issuer_name(obj: Certificate) -> str:
        return obj.issuer.name

    @staticmethod
    def resolve_issuer_code(obj: Certificate) -> str:
        return obj.issuer.uscc

    @staticmethod
    def resolve_previous_version(obj: Certificate) -> str | None:
        previous = obj.previous_version
        return previous.identifier if previous is not None else None

    @staticmethod
    def resolve_face(obj: Certificate) -> dict[str, Any]:
        return dict(obj.face_data)

    @staticmethod
    def resolve_verification_url(obj: Certificate) -> str:
        return rendering.verification_url(obj)


class StatusChangeIn(Schema):
    operation: str
    reason: str = ""


class ShareIn(Schema):
    purpose: str
    days: int = 7


class ShareOut(Schema):
    url: str
    purpose: str
    expires_at: dt.datetime


class UseOut(Schema):
    kind: str
    purpose: str
    case_project_no: str
    actor: str
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)

    @staticmethod
    def resolve_at(obj: Any) -> dt.datetime:
        return obj.created_at  # type: ignore[no-any-return]


class VerifyIn(Schema):
    verifiableCredential: dict[str, Any]  # noqa: N815 - the W3C VC API's field name
    options: dict[str, Any] = {}


class IssueIn(Schema):
    credential: dict[str, Any]
    options: dict[str, Any] = {}


def _rate_limited(request: HttpRequest) -> HttpResponse | None:
    try:
        ratelimit.enforce(request)
    except RateLimited as exc:
        response = JsonResponse(exc.as_dict(), status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    return None


@router.get(
    "/verify/{identifier}",
    auth=None,
    response={200: dict[str, Any], 404: ErrorOut, 429: ErrorOut},
    operation_id="verify_certificate_by_identifier",
)
def verify_by_identifier(request: HttpRequest, identifier: str) -> Any:
    """Public verification of one certificate by its GB/T 36904 identifier (no log-in)."""
    limited = _rate_limited(request)
    if limited is not None:
        return limited
    certificate = queries.public_certificate(identifier)
    if certificate is None:
        raise NotFound(_("没有这个证照标识。请核对后重试。"), code="certificate_not_found")
    return verify_certificate(certificate).as_dict()


@router.get("/mine", response=list[CertificateOut], operation_id="list_my_certificates")
def mine(request: HttpRequest) -> Any:
    """证照夹: the caller's certificates and those of the enterprises they operate."""
    return list(queries.certificates_held_by(request.user).select_related("previous_version"))


@router.get(
    "/{identifier}",
    response={200: CertificateOut, 404: ErrorOut},
    operation_id="get_certificate",
)
def get_certificate(request: HttpRequest, identifier: str) -> Any:
    """One certificate the caller holds, or (staff) issued in their jurisdiction."""
    return queries.get_certificate_for_user(request.user, identifier)


@router.get(
    "/{identifier}/credential",
    response={200: dict[str, Any], 404: ErrorOut},
    operation_id="get_certificate_credential",
)
def get_credential(request: HttpRequest, identifier: str) -> Any:
    """The signed W3C Verifiable Credential, exactly as issued (holder or staff)."""
    certificate = queries.get_certificate_for_user(request.user, identifier)
    return HttpResponse(
        actions.credential_of(certificate), content_type="application/vc+ld+json; charset=utf-8"
    )


@router.post(
    "/{identifier}/status",
    response={200: CertificateOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="change_certificate_status",
)
def change_status(request: HttpRequest, identifier: str, payload: StatusChangeIn) -> Any:
    """Suspend, reinstate, revoke, cancel, rescind or transfer (the issuing department)."""
    certificate = queries.get_certificate_for_user(request.user, identifier)
    return actions.change_status(
        actor=request.user,
        certificate=certificate,
        transition=payload.operation,
        reason=payload.reason,
    )


@router.post(
    "/{identifier}/shares",
    response={201: ShareOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    operation_id="share_certificate",
)
def share(request: HttpRequest, identifier: str, payload: ShareIn) -> Any:
    """Create an expiring link showing the certificate to a third party, for a stated purpose."""
    certificate = queries.get_held_certificate(request.user, identifier)
    created, raw = actions.share_certificate(
        actor=request.user, certificate=certificate, purpose=payload.purpose, days=payload.days
    )
    from yiwang.certificates.views import share_url

    return 201, {
        "url": share_url(request, raw),
        "purpose": created.purpose,
        "expires_at": created.expires_at,
    }


@router.get(
    "/{identifier}/uses",
    response={200: list[UseOut], 404: ErrorOut},
    operation_id="list_certificate_uses",
)
def uses(request: HttpRequest, identifier: str) -> Any:
    """Every use of a certificate (share views, reuse in cases), for its holder."""
    certificate = queries.get_held_certificate(request.user, identifier)
    return list(queries.uses_of(request.user, certificate))


# --- W3C VC API -------------------------------------------------------------------------------


@vc_router.post(
    "/credentials/verify",
    auth=None,
    response={200: dict[str, Any], 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    operation_id="vc_verify_credential",
)
def vc_verify(request: HttpRequest, payload: VerifyIn) -> Any:
    """W3C VC API: verify a credential (signature, issuer, status, validity). No log-in."""
    limited = _rate_limited(request)
    if limited is not None:
        return limited
    if len(request.body) > MAX_DOCUMENT_BYTES:
        raise DomainError("document_too_large", _("证照文件过大。"))
    report = verify_document(payload.verifiableCredential)
    body = report.as_dict()
    body["errors"] = [name for name, check in _failed_checks(body)]
    body["warnings"] = []
    return body


def _failed_checks(body: dict[str, Any]) -> list[tuple[str, Any]]:
    checks = body["checks"]
    failed = []
    if not checks["signature"]["ok"]:
        failed.append(("signature", checks["signature"]))
    if not checks["issuer"]["ok"]:
        failed.append(("issuer", checks["issuer"]))
    if checks["status"]["value"] != "valid":
        failed.append(("status", checks["status"]))
    if not checks["validity"]["ok"]:
        failed.append(("validity", checks["validity"]))
    return failed


def _holder_from(subject: dict[str, Any]) -> Any:
    code_type = str(subject.get("holderCodeType", ""))
    code = str(subject.get("holderCode", ""))
    if not code_type or not code:
        raise DomainError(
            "holder_required", _("请提供持证主体代码及其类型。"), field="credentialSubject"
        )
    holder = actions.find_holder(code_type, code)
    if holder is None:
        raise DomainError("holder_unknown", _("持证主体尚未在平台登记。"), field="holderCode")
    return holder


@vc_router.post(
    "/credentials/issue",
    auth=TokenAuth(),
    response={201: dict[str, Any], 400: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    operation_id="vc_issue_credential",
)
def vc_issue(request: HttpRequest, payload: IssueIn) -> HttpResponse:
    """W3C VC API: issue a certificate in the calling system's department's name.

    The body's credential names the type (`credentialSubject.certificateTypeCode`), the holder
    (`holderCode`, `holderCodeType`: 111 resident ID, 001 USCC) and the face (`faceData`);
    `validUntil` (a date) is optional; `options.caseProjectNo` links the case. The identifier,
    number, issuer, status entries and proof are the platform's. Accepts an Idempotency-Key.
    """
    department = issuing_system_department(request.user)
    if department is None:
        raise PermissionDenied(_("该接口令牌未登记为任何部门的签发系统。"))

    def operation() -> tuple[int, dict[str, Any]]:
        subject = payload.credential.get("credentialSubject")
        if not isinstance(subject, dict):
            raise DomainError(
                "subject_required", _("请提供 credentialSubject。"), field="credentialSubject"
            )
        certificate_type = queries.certificate_type_by_code(
            str(subject.get("certificateTypeCode", ""))
        )
        if certificate_type is None:
            raise DomainError(
                "type_unknown", _("未知的证照类型代码。"), field="certificateTypeCode"
            )
        face = subject.get("faceData") or {}
        if not isinstance(face, dict):
            raise DomainError("face_field_invalid", _("照面信息须为对象。"), field="faceData")
        valid_until = None
        if payload.credential.get("validUntil"):
            try:
                valid_until = dt.date.fromisoformat(str(payload.credential["validUntil"])[:10])
            except ValueError:
                raise DomainError(
                    "date_invalid", _("日期须为 YYYY-MM-DD 格式。"), field="validUntil"
                ) from None
        certificate = actions.issue_certificate(
            actor=request.user,
            certificate_type=certificate_type,
            holder=_holder_from(subject),
            issuer=department,
            face=face,
            case_project_no=str(payload.options.get("caseProjectNo", ""))[:64],
            valid_until=valid_until,
        )
        return 201, {"verifiableCredential": json.loads(actions.credential_of(certificate))}

    outcome = idempotency.run_once(
        actor=request.user,
        scope="certificates.vc_issue",
        key=request.headers.get(idempotency.HEADER),
        payload=payload.dict(),
        operation=operation,
    )
    return outcome.json_response()
