"""一件事 applications: one parent, one sub-case per chosen item, stages, one promise date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import client_for
from yiwang.cases import actions
from yiwang.cases.actions.bundles import refresh_bundle, submit_bundle
from yiwang.cases.choices import BundleCaseStatus, CaseStatus
from yiwang.cases.models import BundleCase, Case, CaseMaterial
from yiwang.cases.outbox import deliver_pending
from yiwang.cases.reuse import (
    ReusedMaterial,
    register_material_provider,
    unregister_material_provider,
)
from yiwang.cases.tests.conftest import at, pdf
from yiwang.catalog.bundles import load_bundle, resolve
from yiwang.catalog.tests.bundle_fixtures import LICENCE_CODE, Restaurant, make_restaurant_bundle
from yiwang.core.errors import DomainError
from yiwang.core.workdays import add_workdays, local_date

pytestmark = pytest.mark.django_db

FORM = {"premises": "东湖区八一大道 1 号", "items": "热食类制售", "liquor_kinds": "啤酒"}


@pytest.fixture
def restaurant(city: Any) -> Restaurant:
    return make_restaurant_bundle(city)


def identities(r: Restaurant, answers: dict[str, str]) -> dict[str, str]:
    plan = resolve(load_bundle(r.bundle), answers)
    return {row.name: row.identity for row in plan.materials if row.asked}


def uploads_for(r: Restaurant, answers: dict[str, str]) -> dict[str, Any]:
    return {
        identity: pdf(f"{name}.pdf", name.encode())
        for name, identity in identities(r, answers).items()
    }


def apply(
    user: Any, r: Restaurant, when: dt.datetime, liquor: str = "yes", **kw: Any
) -> BundleCase:
    answers = {"liquor": liquor}
    return submit_bundle(
        actor=user,
        bundle_code=r.bundle.code,
        answers=answers,
        form_data=kw.pop(
            "form_data",
            FORM if liquor == "yes" else {k: v for k, v in FORM.items() if k != "liquor_kinds"},
        ),
        uploads=kw.pop("uploads", None) or uploads_for(r, answers),
        now=when,
        **kw,
    )


@pytest.fixture
def licence_provider() -> Any:
    """Stands in for the certificate library once stage 1 has issued the 营业执照."""

    def provide(applicant: Any, material: Any) -> ReusedMaterial | None:
        if material.source_certificate_type_code == LICENCE_CODE:
            return ReusedMaterial("certificate", "1.2.156.3005.2.demo", "0" * 64, "营业执照")
        return None

    register_material_provider("test-licence", provide)
    yield
    unregister_material_provider("test-licence")


def finish(case: Case, staff: Any, day: dt.datetime, granted: bool = True) -> Case:
    case = actions.receive_case(actor=staff.clerk, case=case, now=day)
    case = actions.accept_case(actor=staff.clerk, case=case, now=day)
    case = actions.review_case(actor=staff.reviewer, case=case, opinion="agree", now=day)
    kwargs = {} if granted else {"reason": "不符合条件", "remedy_notice": "可申请行政复议"}
    case = actions.decide_case(actor=staff.approver, case=case, granted=granted, now=day, **kwargs)
    if granted:
        case = actions.issue_result(actor=staff.approver, case=case, now=day)
    case = actions.start_delivery(actor=staff.clerk, case=case, method="electronic", now=day)
    return actions.complete_case(actor=staff.clerk, case=case, now=day)


def test_liquor_adds_its_item_and_a_shared_upload_lands_on_both(personas, restaurant) -> None:
    parent = apply(personas.citizen, restaurant, at(2026, 3, 2))
    subs = {c.task_name: c for c in parent.sub_cases.all()}
    assert set(subs) == {"个体工商户登记", "食品经营许可", "酒类商品零售许可"}
    # Stage 1 is submitted; stage 2 waits.
    assert subs["个体工商户登记"].status == CaseStatus.SUBMITTED
    assert subs["食品经营许可"].status == CaseStatus.DRAFT
    premises = CaseMaterial.objects.filter(material_name__startswith="经营场所使用证明")
    assert {row.case.task_name for row in premises} == {"个体工商户登记", "酒类商品零售许可"}
    assert len({row.file.name for row in premises}) == 1  # stored once


def test_without_liquor_there_is_no_liquor_case(personas, restaurant) -> None:
    parent = apply(personas.citizen, restaurant, at(2026, 3, 2), liquor="no")
    assert sorted(parent.sub_cases.values_list("task_name", flat=True)) == [
        "个体工商户登记",
        "食品经营许可",
    ]


def test_each_sub_case_keeps_its_clock_and_the_bundle_promise_chains(
    personas, staff, restaurant, licence_provider
) -> None:
    start = at(2026, 3, 2)
    parent = apply(personas.citizen, restaurant, start)
    day = local_date(start)
    # Estimated at application: 3 days of stage 1, then the longest of stage 2 (10 days).
    assert parent.estimated_promise_date == add_workdays(day, 13)
    assert parent.estimated_promise_date > add_workdays(day, 10)  # not the naive max
    shop = parent.sub_cases.get(bundle_stage=1)
    accepted = actions.accept_case(
        actor=staff.clerk,
        case=actions.receive_case(actor=staff.clerk, case=shop, now=start),
        now=start,
    )
    assert accepted.promise_date == add_workdays(day, 3)
    finish_day = at(2026, 3, 3)
    accepted = actions.review_case(
        actor=staff.reviewer, case=accepted, opinion="agree", now=finish_day
    )
    accepted = actions.decide_case(
        actor=staff.approver, case=accepted, granted=True, now=finish_day
    )
    actions.issue_result(actor=staff.approver, case=accepted, now=finish_day)
    deliver_pending()
    parent.refresh_from_db()
    food = parent.sub_cases.get(task_name="食品经营许可")
    liquor = parent.sub_cases.get(task_name="酒类商品零售许可")
    # Stage 2 started by itself once the licence was issued.
    assert food.status == liquor.status == CaseStatus.SUBMITTED
    assert food.materials.filter(reuse_source="certificate").exists()
    # Decided a day early, so the bundle's promise moves up with it.
    assert parent.promise_date == add_workdays(local_date(finish_day), 10)
    second = at(2026, 3, 4)
    food = actions.accept_case(
        actor=staff.clerk,
        case=actions.receive_case(actor=staff.clerk, case=food, now=second),
        now=second,
    )
    liquor = actions.accept_case(
        actor=staff.clerk,
        case=actions.receive_case(actor=staff.clerk, case=liquor, now=second),
        now=second,
    )
    assert food.promise_date == add_workdays(local_date(second), 10)
    assert liquor.promise_date == add_workdays(local_date(second), 5)
    deliver_pending()
    parent.refresh_from_db()
    assert parent.promise_date == max(food.promise_date, liquor.promise_date)
    assert (
        parent.status == BundleCaseStatus.PARTLY_DONE
        or parent.status == BundleCaseStatus.IN_PROGRESS
    )


def test_the_parent_aggregates_and_announces_once(
    personas, staff, restaurant, licence_provider
) -> None:
    from yiwang.notifications.models import Notification

    parent = apply(personas.citizen, restaurant, at(2026, 3, 2))
    deliver_pending()
    parent.refresh_from_db()
    assert parent.status == BundleCaseStatus.SUBMITTED
    finish(parent.sub_cases.get(bundle_stage=1), staff, at(2026, 3, 3))
    deliver_pending()
    parent.refresh_from_db()
    assert parent.status == BundleCaseStatus.PARTLY_DONE
    for case in parent.sub_cases.filter(bundle_stage=2):
        finish(case, staff, at(2026, 3, 5))
    deliver_pending()
    parent.refresh_from_db()
    assert parent.status == BundleCaseStatus.COMPLETED and parent.finished_at is not None
    refresh_bundle(bundle_case=parent)
    deliver_pending()
    messages = Notification.objects.filter(recipient=personas.citizen, channel="in_app")
    subjects = [m.subject for m in messages]
    assert sum(parent.bundle_no in s for s in subjects) == 2  # submitted, finished
    # Sub-cases' routine progress is not sent one by one.
    assert not [s for s in subjects if "办件进度" in s]


def test_a_refusal_in_stage_one_ends_the_bundle_not_passed(personas, staff, restaurant) -> None:
    parent = apply(personas.citizen, restaurant, at(2026, 3, 2))
    finish(parent.sub_cases.get(bundle_stage=1), staff, at(2026, 3, 3), granted=False)
    deliver_pending()
    parent.refresh_from_db()
    assert parent.status == BundleCaseStatus.NOT_PASSED
    assert parent.sub_cases.filter(bundle_stage=2, status=CaseStatus.DRAFT).count() == 2


def test_a_missing_material_or_field_changes_nothing(personas, restaurant) -> None:
    uploads = uploads_for(restaurant, {"liquor": "yes"})
    uploads.pop(identities(restaurant, {"liquor": "yes"})["健康证明"])
    with pytest.raises(DomainError) as caught:
        apply(personas.citizen, restaurant, at(2026, 3, 2), uploads=uploads)
    assert caught.value.code == "materials_missing"
    with pytest.raises(DomainError) as caught:
        apply(personas.citizen, restaurant, at(2026, 3, 2), form_data={"items": "热食"})
    assert caught.value.code == "form_field_required"
    with pytest.raises(DomainError) as caught:
        submit_bundle(
            actor=personas.citizen,
            bundle_code=restaurant.bundle.code,
            answers={},
            now=at(2026, 3, 2),
        )
    assert caught.value.code == "situation_unanswered"
    assert not BundleCase.objects.exists() and not Case.objects.exists()
    assert not CaseMaterial.objects.exists()


def test_a_later_stage_that_cannot_start_by_itself_is_explained(
    personas, staff, restaurant
) -> None:
    """No 营业执照 reached the certificate library: stage 2 waits and the parent says why."""
    parent = apply(personas.citizen, restaurant, at(2026, 3, 2))
    finish(parent.sub_cases.get(bundle_stage=1), staff, at(2026, 3, 3))
    deliver_pending()
    parent.refresh_from_db()
    assert "食品经营许可" in parent.note and "营业执照" in parent.note
    assert parent.sub_cases.get(task_name="食品经营许可").status == CaseStatus.DRAFT
    # The liquor licence only names the 营业执照 (a government-issued paper): it goes ahead.
    assert parent.sub_cases.get(task_name="酒类商品零售许可").status == CaseStatus.SUBMITTED
    page = client_for(personas.citizen).get(f"/cases/bundles/{parent.pk}/").content.decode()
    assert "后续阶段未能自动提交" in page


def test_a_sub_case_correction_still_reaches_the_applicant(personas, staff, restaurant) -> None:
    from yiwang.notifications.models import Notification

    parent = apply(personas.citizen, restaurant, at(2026, 3, 2))
    shop = parent.sub_cases.get(bundle_stage=1)
    shop = actions.receive_case(actor=staff.clerk, case=shop, now=at(2026, 3, 2, 11))
    material = shop.materials.first()
    actions.request_correction(
        actor=staff.clerk,
        case=shop,
        rejections={material.pk: "不清晰"},
        now=at(2026, 3, 2, 12),
    )
    deliver_pending()
    bodies = list(
        Notification.objects.filter(recipient=personas.citizen).values_list("body", flat=True)
    )
    assert any("补正" in b for b in bodies)
    assert not any("已收件" in b for b in bodies)
