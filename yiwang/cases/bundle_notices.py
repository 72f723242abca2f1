"""一件事办结通知书 as PDF: one notice listing every sub-case's result, issued in the lead
department's name once the whole bundle is finished (same layout and font as notices.py)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from yiwang.cases.bundles import notice_ready, sub_cases
from yiwang.cases.choices import Decision
from yiwang.cases.models import BundleCase, CaseResult
from yiwang.cases.notices import _date, a4_document, notice_styles
from yiwang.core.errors import NotFound


def notice_lines(parent: BundleCase) -> list[str]:
    """One line per sub-case: item, number, result (and certificate number when issued)."""
    subs = sub_cases(parent)
    results = {r.case_id: r for r in CaseResult.objects.filter(case__in=subs)}
    lines = []
    for index, case in enumerate(subs, start=1):
        result = results.get(case.pk)
        if result is None:
            outcome = str(case.get_status_display())
        elif result.result_type == Decision.GRANTED:
            outcome = _("准予")
            if result.result_cetr_no:
                outcome += _("，结果证照编号：%(no)s") % {"no": result.result_cetr_no}
        else:
            outcome = _("不予许可（%(reason)s）") % {"reason": result.result_explain}
        lines.append(f"{index}. {case.task_name}（{case.project_no or '—'}）：{outcome}")
    return lines


def render_bundle_notice(parent: BundleCase) -> bytes:
    """The PDF; 404 until every sub-case is finished."""
    if not notice_ready(parent):
        raise NotFound()
    title_style, text, right = notice_styles()
    buffer = io.BytesIO()
    lead = parent.bundle.lead_department.name
    document = a4_document(buffer, title=f"{_('一件事办结通知书')} {parent.bundle_no}", author=lead)
    intro = _("你（单位）于 %(date)s 申请的「%(bundle)s」已全部办结，各事项结果如下：") % {
        "date": _date(parent.created_at),
        "bundle": parent.bundle_name,
    }
    story = [
        Paragraph(escape(_("一件事办结通知书")), title_style),
        Spacer(1, 8 * mm),
        Paragraph(escape(_("一件事编号：%(no)s") % {"no": parent.bundle_no}), text),
        Paragraph(escape(f"{parent.applyer_name}："), text),
        Spacer(1, 4 * mm),
        Paragraph(escape(intro), text),
    ]
    story += [Paragraph(escape(line), text) for line in notice_lines(parent)]
    story += [
        Paragraph(
            escape(_("对其中不予许可的决定不服的，可依法申请行政复议或者提起行政诉讼。")), text
        ),
        Spacer(1, 12 * mm),
        Paragraph(escape(lead), right),
        Paragraph(escape(_date(parent.finished_at)), right),
    ]
    document.build(story)
    return buffer.getvalue()
