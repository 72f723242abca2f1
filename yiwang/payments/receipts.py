"""The e-receipt (电子缴款凭证) as a PDF, with the CID font STSong-Light that every PDF reader
ships for Chinese, so the file needs no embedded font."""

from __future__ import annotations

import hashlib
import io

from django.utils import timezone
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from yiwang.payments.models import PaymentOrder, format_fen

FONT = "STSong-Light"
DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ["", "拾", "佰", "仟"]
GROUPS = ["", "万", "亿", "万亿"]


def _group(value: int) -> str:
    text = ""
    zero = False
    for place in range(3, -1, -1):
        digit = value // 10**place % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + PLACES[place]
    return text


def _integer(value: int) -> str:
    groups: list[int] = []
    while value:
        groups.append(value % 10000)
        value //= 10000
    text = ""
    gap = False  # a zero stands between the last written digit and this group
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = gap or bool(text)
            continue
        if text and (gap or group < 1000):
            text += "零"
        text += _group(group) + GROUPS[index]
        gap = group % 10 == 0
    return text


def rmb_capital(fen: int) -> str:
    """人民币大写: 100010 → '壹仟元壹角整'; 1250 → '壹拾贰元伍角整'."""
    if fen < 0:
        raise ValueError("amount must not be negative")
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    text = _integer(yuan) + "元" if yuan else ""
    if jiao:
        text += DIGITS[jiao] + "角"
    elif cents and yuan:
        text += "零"
    if cents:
        text += DIGITS[cents] + "分"
    else:
        text = (text or "零元") + "整"
    return text


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def receipt_digest(order: PaymentOrder) -> str:
    """A digest of the receipt's facts, printed on it so a copy can be checked."""
    facts = "|".join(
        [
            order.receipt_no,
            order.order_no,
            order.case_project_no,
            str(order.amount_fen),
            order.provider_trade_no,
            order.paid_at.isoformat() if order.paid_at else "",
        ]
    )
    return hashlib.sha256(facts.encode()).hexdigest()


def render_receipt(order: PaymentOrder) -> bytes:
    """The receipt of a paid order as PDF bytes."""
    _register_font()
    buffer = io.BytesIO()
    width, height = landscape(A5)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"电子缴款凭证 {order.receipt_no}")
    pdf.setAuthor(order.department.name)
    pdf.setFont(FONT, 18)
    pdf.drawCentredString(width / 2, height - 20 * mm, "政务服务电子缴款凭证")
    pdf.setFont(FONT, 10)
    paid = timezone.localtime(order.paid_at).strftime("%Y-%m-%d %H:%M:%S") if order.paid_at else ""
    rows = [
        ("票据号码", order.receipt_no),
        ("缴款码", order.order_no),
        ("办件编号", order.case_project_no),
        ("缴款人", order.payer.display_name),
        ("收款单位", order.department.name),
        ("事项", order.task_version.task_name),
        ("支付渠道", f"{order.get_channel_display()}  {order.provider_trade_no}"),
        ("支付时间", paid),
    ]
    y = height - 32 * mm
    for label, value in rows:
        pdf.drawString(15 * mm, y, f"{label}：{value}")
        y -= 6 * mm
    y -= 2 * mm
    pdf.drawString(15 * mm, y, "收费项目")
    pdf.drawRightString(width - 15 * mm, y, "金额（元）")
    pdf.line(15 * mm, y - 2 * mm, width - 15 * mm, y - 2 * mm)
    y -= 7 * mm
    for line in order.lines.all():
        pdf.drawString(15 * mm, y, f"{line.fee_name}（{line.fee_stand}）"[:60])
        pdf.drawRightString(width - 15 * mm, y, line.amount_yuan)
        y -= 6 * mm
    pdf.line(15 * mm, y + 3 * mm, width - 15 * mm, y + 3 * mm)
    pdf.setFont(FONT, 11)
    pdf.drawString(15 * mm, y - 2 * mm, f"合计（大写）：{rmb_capital(order.amount_fen)}")
    pdf.drawRightString(width - 15 * mm, y - 2 * mm, f"¥{format_fen(order.amount_fen)}")
    pdf.setFont(FONT, 8)
    pdf.drawString(15 * mm, 12 * mm, f"校验码（SHA-256）：{receipt_digest(order)}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
