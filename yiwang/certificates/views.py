"""Pages: public verification, keys and status lists, the wallet (证照夹), shares, staff desk."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.certificates import actions, queries, ratelimit, rendering
from yiwang.certificates.choices import TRANSITION_LABELS, UseKind, can_transition
from yiwang.certificates.errors import RateLimited
from yiwang.certificates.keys import controller_document
from yiwang.certificates.models import Certificate, CertificateShare, StatusList
from yiwang.certificates.permissions import may_issue
from yiwang.certificates.verification import (
    MAX_DOCUMENT_BYTES,
    VerificationReport,
    verify_certificate,
    verify_document,
)
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.web import login_required_page, staff_required
from yiwang.regions.models import Department

PAGE_SIZE = 25
STAFF_TRANSITIONS = ["suspend", "reinstate", "revoke", "cancel", "rescind", "transfer"]


def share_url(request: HttpRequest, raw_token: str) -> str:
    return request.build_absolute_uri(reverse("certificates:shared", args=[raw_token]))


def _throttled(request: HttpRequest) -> HttpResponse | None:
    try:
        ratelimit.enforce(request)
    except RateLimited as exc:
        response = render(
            request,
            "core/error.html",
            {"code": exc.code, "message": exc.message},
            status=429,
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    return None


def _result_context(report: VerificationReport) -> dict[str, Any]:
    certificate = report.certificate
    labels = {}
    if certificate is not None:
        labels = {f["name"]: f["label"] for f in certificate.certificate_type.face_fields}
    face = [(labels.get(k, k), v) for k, v in report.face.get("faceData", {}).items()]
    return {"report": report, "face": report.face, "face_rows": face, "body": report.as_dict()}


# --- public -----------------------------------------------------------------------------------


@require_GET
def public_certificate(request: HttpRequest, identifier: str) -> HttpResponse:
    """The credential's own URL: its live verification, open to anyone (the QR leads here)."""
    throttled = _throttled(request)
    if throttled is not None:
        return throttled
    certificate = queries.public_certificate(identifier)
    if certificate is None:
        raise DomainError(
            "certificate_not_found",
            _("没有这个证照标识。请核对后重试。"),
            status=404,
        )
    report = verify_certificate(certificate)
    return render(request, "certificates/verify.html", {**_result_context(report), "mode": "id"})


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """核验: by identifier, or by pasting the credential file someone handed over."""
    context: dict[str, Any] = {"mode": "form"}
    identifier = request.GET.get("identifier", "").strip()
    if request.method == "GET" and identifier:
        return redirect("certificates:public", identifier=identifier[:100].upper())
    if request.method == "POST":
        throttled = _throttled(request)
        if throttled is not None:
            return throttled
        text = request.POST.get("credential", "")
        document: Any = None
        if len(text.encode()) > MAX_DOCUMENT_BYTES:
            context["error"] = _("证照文件过大。")
        else:
            try:
                document = json.loads(text)
            except ValueError:
                context["error"] = _("请粘贴完整的证照文件（JSON 格式）。")
        if document is not None:
            context.update(_result_context(verify_document(document)))
        context["credential_text"] = text
    return render(request, "certificates/verify.html", context)


@require_GET
def issuer_keys(request: HttpRequest, uscc: str) -> JsonResponse:
    """A department's keys (controller document of Multikeys), retired keys included."""
    department = Department.objects.filter(uscc=uscc).first()
    if department is None or not department.certificate_keys.exists():
        raise Http404
    response = JsonResponse(
        controller_document(department), json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def status_list(request: HttpRequest, uscc: str, purpose: str, number: int) -> HttpResponse:
    """The signed BitstringStatusListCredential a verifier downloads."""
    row = StatusList.objects.filter(department__uscc=uscc, purpose=purpose, number=number).first()
    if row is None:
        raise Http404
    response = HttpResponse(
        row.credential_json, content_type="application/vc+ld+json; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=60"
    return response


def _open_share(request: HttpRequest, token: str, kind: str) -> CertificateShare | HttpResponse:
    """The share, logged as one use; or a 410 page when expired, withdrawn or unknown."""
    try:
        return actions.open_share(actor=request.user, raw_token=token, kind=kind)
    except DomainError as exc:
        return render(
            request, "core/error.html", {"code": exc.code, "message": exc.message}, status=410
        )


@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """A share link: the certificate's face and verification for the stated purpose."""
    share = _open_share(request, token, UseKind.SHARE_VIEW)
    if isinstance(share, HttpResponse):
        return share
    report = verify_certificate(share.certificate)
    return render(
        request,
        "certificates/shared.html",
        {**_result_context(report), "share": share, "token": token},
    )


@require_GET
def shared_credential(request: HttpRequest, token: str) -> HttpResponse:
    """Download the signed credential through a share link (logged as a use)."""
    share = _open_share(request, token, UseKind.SHARE_DOWNLOAD)
    if isinstance(share, HttpResponse):
        return share
    return _credential_download(share.certificate)


def _credential_download(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(
        actions.credential_of(certificate), content_type="application/vc+ld+json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.identifier}.json"'
    return response


# --- wallet -----------------------------------------------------------------------------------


@login_required_page
def wallet(request: HttpRequest) -> HttpResponse:
    """证照夹: my certificates and my enterprises' certificates."""
    page = Paginator(queries.certificates_held_by(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "certificates/wallet.html", {"page": page})


@login_required_page
def wallet_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    """One certificate of mine: face, status, QR, downloads, shares and every use."""
    certificate = queries.get_held_certificate(request.user, identifier)
    context = {
        "certificate": certificate,
        "qr_svg": rendering.qr_svg(certificate),
        "shares": queries.shares_of(request.user, certificate),
        "uses": queries.uses_of(request.user, certificate)[:100],
        "face_rows": _face_rows(certificate),
        "max_days": 30,
    }
    return render(request, "certificates/wallet_detail.html", context)


def _face_rows(certificate: Certificate) -> list[tuple[str, Any]]:
    return [
        (f["label"], certificate.face_data.get(f["name"], ""))
        for f in certificate.certificate_type.face_fields
        if certificate.face_data.get(f["name"]) not in (None, "")
    ]


@login_required_page
def wallet_pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    certificate = queries.get_certificate_for_user(request.user, identifier)
    response = HttpResponse(rendering.render_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.identifier}.pdf"'
    return response


@login_required_page
def wallet_credential(request: HttpRequest, identifier: str) -> HttpResponse:
    return _credential_download(queries.get_certificate_for_user(request.user, identifier))


@require_POST
@login_required_page
def wallet_share(request: HttpRequest, identifier: str) -> HttpResponse:
    certificate = queries.get_held_certificate(request.user, identifier)
    try:
        days = int(request.POST.get("days", "7"))
    except ValueError:
        days = 0
    try:
        _share, raw = actions.share_certificate(
            actor=request.user,
            certificate=certificate,
            purpose=request.POST.get("purpose", ""),
            days=days,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("分享链接已生成（仅显示一次）：%(url)s") % {"url": share_url(request, raw)},
        )
    return redirect("certificates:wallet_detail", identifier=certificate.identifier)


@require_POST
@login_required_page
def wallet_share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    share = queries.get_share_for_user(request.user, pk)
    actions.revoke_share(actor=request.user, share=share)
    messages.success(request, _("分享链接已撤回。"))
    return redirect("certificates:wallet_detail", identifier=share.certificate.identifier)


# --- staff desk -------------------------------------------------------------------------------


@staff_required
def manage(request: HttpRequest) -> HttpResponse:
    """Certificates issued in the jurisdiction, newest first; search by identifier or number."""
    certificates = queries.certificates_for_staff(request.user)
    term = request.GET.get("q", "").strip()[:100]
    if term:
        certificates = certificates.filter(identifier=term.upper()) | certificates.filter(
            certificate_number=term
        )
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "certificates/manage.html", {"page": page, "q": term})


@staff_required
def manage_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    certificate = queries.get_certificate_for_user(request.user, identifier)
    transitions = [
        (name, TRANSITION_LABELS[name])
        for name in STAFF_TRANSITIONS
        if can_transition(certificate.status, name)
    ]
    context = {
        "certificate": certificate,
        "face_rows": _face_rows(certificate),
        "events": certificate.events.all(),
        "transitions": transitions if may_issue(request.user, certificate.issuer) else [],
    }
    return render(request, "certificates/manage_detail.html", context)


@require_POST
@staff_required
def manage_status(request: HttpRequest, identifier: str) -> HttpResponse:
    certificate = queries.get_certificate_for_user(request.user, identifier)
    try:
        actions.change_status(
            actor=request.user,
            certificate=certificate,
            transition=request.POST.get("operation", ""),
            reason=request.POST.get("reason", ""),
        )
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("证照状态已更新。"))
    return redirect("certificates:manage_detail", identifier=certificate.identifier)
