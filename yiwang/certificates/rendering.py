"""The printable certificate (PDF) and its QR code.

The PDF uses reportlab's built-in CID font STSong-Light, so Chinese prints without shipping a
font file. The QR code is drawn as vector squares from segno's module matrix (no image
library needed); it holds the public verification URL plus the signed compact payload of
vc/compact.py, so the paper can be checked offline too.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from yiwang.certificates.choices import Status
from yiwang.certificates.keys import public_base
from yiwang.certificates.models import Certificate
from yiwang.certificates.vc.credential import credential_url

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def verification_url(certificate: Certificate) -> str:
    """The public page of the certificate: its credential id."""
    return credential_url(f"{public_base()}/certificates", certificate.identifier)


def qr_text(certificate: Certificate) -> str:
    """What the QR code holds: the verification URL and, after '#', the signed payload."""
    return f"{verification_url(certificate)}#{certificate.qr_token}"


def qr_code(certificate: Certificate) -> Any:
    return segno.make_qr(qr_text(certificate), error="m")


def qr_svg(certificate: Certificate) -> str:
    """The QR code as inline SVG for pages."""
    return str(qr_code(certificate).svg_inline(scale=3, title=_("扫码核验证照")))


def _face_lines(certificate: Certificate) -> list[tuple[str, str]]:
    lines = [
        (_("证照编号"), certificate.certificate_number),
        (_("持证主体"), certificate.holder_name),
        (_("持证主体代码"), certificate.holder_code_display),
    ]
    for field in certificate.certificate_type.face_fields:
        value = certificate.face_data.get(field["name"])
        if value not in (None, ""):
            lines.append((field["label"], str(value)))
    until = certificate.valid_until.isoformat() if certificate.valid_until else _("长期")
    lines += [
        (_("发证机关"), certificate.issuer.name),
        (_("发证日期"), certificate.issue_date.isoformat()),
        (_("有效期"), f"{certificate.valid_from.isoformat()} — {until}"),
    ]
    return lines


def render_pdf(certificate: Certificate) -> bytes:
    """One A4 page: the face, the identifier, the QR code; marked when no longer valid."""
    buffer = io.BytesIO()
    width, height = A4
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.setTitle(certificate.certificate_type.name)
    page.setAuthor(certificate.issuer.name)
    page.setSubject(certificate.identifier)
    page.setCreator("Yiwang")

    page.setStrokeColor(HexColor("#9b1c1c"))
    page.setLineWidth(2)
    page.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    page.setFont(FONT, 28)
    page.setFillColor(HexColor("#9b1c1c"))
    page.drawCentredString(width / 2, height - 45 * mm, certificate.certificate_type.name)
    page.setFillColor(HexColor("#1a1a1a"))

    y = height - 70 * mm
    label_x, value_x, value_width = 28 * mm, 65 * mm, width - 93 * mm
    for label, value in _face_lines(certificate):
        page.setFont(FONT, 12)
        page.drawString(label_x, y, label)
        for line in simpleSplit(value, FONT, 12, value_width) or [""]:
            page.drawString(value_x, y, line)
            y -= 7 * mm
        y -= 2 * mm

    if certificate.status != Status.VALID:
        page.saveState()
        page.setFont(FONT, 48)
        page.setFillColor(HexColor("#a30d0d"))
        page.translate(width / 2, height / 2)
        page.rotate(30)
        page.drawCentredString(0, 0, str(certificate.get_status_display()))
        page.restoreState()

    _draw_qr(page, certificate, x=width - 75 * mm, y=25 * mm, size=50 * mm)
    page.setFont(FONT, 8)
    page.drawString(28 * mm, 32 * mm, _("电子证照标识"))
    page.drawString(28 * mm, 27 * mm, certificate.identifier)
    page.drawString(28 * mm, 21 * mm, _("扫描二维码或访问以下地址核验："))
    page.drawString(28 * mm, 17 * mm, verification_url(certificate)[:110])
    page.showPage()
    page.save()
    return buffer.getvalue()


def _draw_qr(
    page: canvas.Canvas, certificate: Certificate, *, x: float, y: float, size: float
) -> None:
    rows = [list(row) for row in qr_code(certificate).matrix_iter(border=2)]
    module = size / len(rows)
    page.setFillColor(HexColor("#000000"))
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                page.rect(x + c * module, y + size - (r + 1) * module, module, module, 0, 1)
