"""The case page's next step for ratings: "评价" while the applicant has an open invitation
for the case (the whole case first, then the latest touchpoint), and the recorded rating."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yiwang.cases.links import DONE, TODO, CaseLink
from yiwang.ratings.choices import Touchpoint
from yiwang.ratings.models import RatingInvitation


def _rank(invitation: RatingInvitation) -> tuple[int, float]:
    whole = 0 if invitation.touchpoint == Touchpoint.CASE else 1
    return (whole, -invitation.opened_at.timestamp())


def links_of_many(cases: Sequence[Any], user: Any) -> dict[int, list[CaseLink]]:
    numbers = {case.project_no: case.pk for case in cases if case.project_no}
    if not numbers or not getattr(user, "is_authenticated", False):
        return {}
    invitations = RatingInvitation.objects.filter(
        rater=user, case_project_no__in=list(numbers)
    ).select_related("rating")
    now = timezone.now()
    open_: dict[str, list[RatingInvitation]] = {}
    rated: dict[str, list[RatingInvitation]] = {}
    for invitation in invitations:
        rating = getattr(invitation, "rating", None)
        if rating is not None:
            rated.setdefault(invitation.case_project_no, []).append(invitation)
        elif invitation.due_at > now:
            open_.setdefault(invitation.case_project_no, []).append(invitation)
    found: dict[int, list[CaseLink]] = {}
    for number, pk in numbers.items():
        links: list[CaseLink] = []
        if number in open_:
            first = min(open_[number], key=_rank)
            url = reverse("ratings:rate", args=[first.pk])
            hint = _("%(touchpoint)s环节") % {"touchpoint": first.get_touchpoint_display()}
            if len(open_[number]) > 1:
                hint = _("%(touchpoint)s环节，共 %(count)d 项待评价") % {
                    "touchpoint": first.get_touchpoint_display(),
                    "count": len(open_[number]),
                }
            links.append(CaseLink(pgettext("下一步", "评价"), url, TODO, hint))
        if number in rated:
            last = min(rated[number], key=_rank)
            hint = f"{last.get_touchpoint_display()}：{last.rating.get_level_display()}"
            links.append(CaseLink(_("已评价"), reverse("ratings:mine"), DONE, hint))
        if links:
            found[pk] = links
    return found
