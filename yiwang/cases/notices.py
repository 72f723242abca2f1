"""The notices a citizen receives (受理通知书, 补正告知书, 不予受理通知书, 办结通知书) as PDF.

reportlab's built-in CID font STSong-Light renders Chinese without shipping a font file
(PDF viewers supply the glyphs from their Adobe-GB1 font set).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from yiwang.cases.choices import CaseStatus, Decision, NoticeKind
from yiwang.cases.models import Case
from yiwang.core.errors import NotFound

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def available_notices(case: Case) -> list[str]:
    """Which notices exist for the case in its current state."""
    kinds: list[str] = []
    if case.correction_items:
        kinds.append(NoticeKind.CORRECTION)
    if case.accept_date is not None:
        kinds.append(NoticeKind.ACCEPTANCE)
    if case.status == CaseStatus.NOT_ACCEPTED:
        kinds.append(NoticeKind.NOT_ACCEPTED)
    if case.status == CaseStatus.COMPLETED:
        kinds.append(NoticeKind.COMPLETION)
    return kinds


def _date(value: object) -> str:
    if value is None:
        return "—"
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value).date()  # type: ignore[arg-type]
    return f"{value:%Y年%m月%d日}"


def _body(case: Case, kind: str) -> list[str]:
    item = case.task_name
    if kind == NoticeKind.ACCEPTANCE:
        lines = [
            _(
                "你（单位）于 %(date)s 提出的「%(item)s」申请，经审查，"
                "申请材料齐全、符合法定形式，本机关决定予以受理。"
            )
            % {"date": _date(case.apply_date), "item": item},
            _(
                "受理文书编号：%(no)s。承诺办结时间：%(promise)s（法定节假日不计算在内；特别程序所需时间不计算在内）。"
            )
            % {"no": case.accept_doc_no or "—", "promise": _date(case.promise_date)},
        ]
        deferred = [m.material_name for m in case.materials.all() if m.state == "deferred"]
        if deferred:
            lines.append(
                _("容缺受理：请于期限内补交以下材料：%(names)s。") % {"names": "、".join(deferred)}
            )
        return lines
    if kind == NoticeKind.CORRECTION:
        lines = [
            _(
                "你（单位）于 %(date)s 提出的「%(item)s」申请，申请材料不齐全或者不符合法定形式。"
                "根据《中华人民共和国行政许可法》第三十二条，现一次性告知需要补正的全部内容："
            )
            % {"date": _date(case.received_at), "item": item}
        ]
        for index, row in enumerate(case.correction_items, start=1):
            lines.append(f"{index}. {row.get('name', '')}：{row.get('reason', '')}")
        lines.append(_("请补正后重新提交。补正期间不计入办理时限。"))
        return lines
    if kind == NoticeKind.NOT_ACCEPTED:
        return [
            _("你（单位）于 %(date)s 提出的「%(item)s」申请，本机关决定不予受理。")
            % {"date": _date(case.apply_date), "item": item},
            _("理由：%(reason)s") % {"reason": case.closing_reason},
            _(
                "如不服本决定，可以在收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。"
            ),
        ]
    result = getattr(case, "result", None)
    lines = [
        _("你（单位）申请的「%(item)s」已于 %(date)s 办结。")
        % {"item": item, "date": _date(case.closed_at)},
    ]
    if result is not None and result.result_type == Decision.GRANTED:
        lines.append(_("办理结果：准予。"))
        if result.result_cetr_no:
            lines.append(_("结果证照编号：%(no)s") % {"no": result.result_cetr_no})
    elif result is not None:
        lines.append(_("办理结果：不予许可。理由：%(reason)s") % {"reason": result.result_explain})
        lines.append(result.remedy_notice)
    return lines


def _issued(case: Case, kind: str) -> object:
    return {
        NoticeKind.ACCEPTANCE: case.accept_date,
        NoticeKind.CORRECTION: case.correction_requested_at,
    }.get(NoticeKind(kind), case.closed_at)


def notice_styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    """The title, body and right-aligned styles every notice uses (a CJK font)."""
    font = _font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1)
    text = ParagraphStyle("text", fontName=font, fontSize=12, leading=20, wordWrap="CJK")
    return title_style, text, ParagraphStyle("right", parent=text, alignment=2)


def a4_document(buffer: io.BytesIO, *, title: str, author: str) -> SimpleDocTemplate:
    """An A4 notice page with 25 mm margins, byte-for-byte reproducible (invariant)."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=title,
        author=author,
        invariant=1,
    )


def render_notice(case: Case, kind: str) -> bytes:
    """The notice as a PDF document; 404 when the case has no such notice (yet)."""
    if kind not in available_notices(case):
        raise NotFound()
    title_style, text, right = notice_styles()
    buffer = io.BytesIO()
    document = a4_document(
        buffer,
        title=f"{NoticeKind(kind).label} {case.project_no}",
        author=case.implementing_department.name,
    )
    story = [
        Paragraph(escape(str(NoticeKind(kind).label)), title_style),
        Spacer(1, 8 * mm),
        Paragraph(escape(_("办件编号：%(no)s") % {"no": case.project_no or ""}), text),
        Paragraph(escape(f"{case.applyer_name}："), text),
        Spacer(1, 4 * mm),
    ]
    story += [Paragraph(escape(line), text) for line in _body(case, kind)]
    story += [
        Spacer(1, 12 * mm),
        Paragraph(escape(case.implementing_department.name), right),
        Paragraph(escape(_date(_issued(case, kind))), right),
    ]
    document.build(story)
    return buffer.getvalue()
