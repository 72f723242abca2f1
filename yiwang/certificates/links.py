"""The case page's next step for the result: "查看电子证照" when the case issued a certificate
the viewer holds (their own, or their enterprise's), leading to it in the 证照夹."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from yiwang.cases.links import TODO, CaseLink
from yiwang.certificates.queries import certificates_held_by


def links_of_many(cases: Sequence[Any], user: Any) -> dict[int, list[CaseLink]]:
    numbers = {case.project_no: case.pk for case in cases if case.project_no}
    if not numbers:
        return {}
    held = certificates_held_by(user).filter(case_project_no__in=list(numbers)).order_by("id")
    found: dict[int, list[CaseLink]] = {}
    for certificate in held:
        url = reverse("certificates:wallet_detail", args=[certificate.identifier])
        hint = f"{certificate.certificate_type.name}（{certificate.get_status_display()}）"
        found.setdefault(numbers[certificate.case_project_no], []).append(
            CaseLink(_("查看电子证照"), url, TODO, hint)
        )
    return found
