"""跨域通办 (issue 8): a case accepted in county A and processed in county B.

Personas: clerk_a (window clerk, 东湖区行政审批局) receives on behalf of 西湖区行政审批局,
whose clerk_b, reviewer and approver process the case; a clerk of a third county (青山湖区)
must see nothing and be refused everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import client_for, make_staff
from yiwang.cases import actions, dispatch, queries
from yiwang.cases.choices import CaseStatus, EventName, HandoffStage
from yiwang.cases.models import Case, CaseHandoff, CaseProcess
from yiwang.cases.tests.conftest import at, full_uploads
from yiwang.catalog import actions as catalog_actions
from yiwang.catalog.models import CatalogItem, TaskVersion
from yiwang.catalog.tests.conftest import FOOD_LICENCE_CHILDREN, FOOD_LICENCE_FIELDS
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.models import AuditEntry
from yiwang.identity.models import Person, User
from yiwang.portal.demo.city import uscc_for
from yiwang.regions import actions as region_actions
from yiwang.regions.choices import Role
from yiwang.regions.models import Department

# 2026-03-02 is a Monday; no holidays that week or the next.
MONDAY = at(2026, 3, 2, 9)


@dataclass
class Sides:
    clerk_a: User  # receiving hall, county A
    clerk_b: User  # implementing department, county B
    reviewer_b: User
    approver_b: User
    clerk_c: User  # another county's clerk: sees nothing
    reviewer_c2: User  # reviewer of a county-C department that gets a 联办 part
    dept_c2: Department
    citizen: User
    other_citizen: User


@pytest.fixture
def sides(city: Any, personas: Any) -> Sides:
    county_c = region_actions.create_region(actor=SYSTEM, code="360104000000", name="青山湖区")
    dept_c = region_actions.create_department(
        actor=SYSTEM, name="青山湖区行政审批局", uscc=uscc_for("11360104", 5), region=county_c
    )
    dept_c2 = region_actions.create_department(
        actor=SYSTEM, name="青山湖区市场监督管理局", uscc=uscc_for("11360104", 6), region=county_c
    )
    return Sides(
        clerk_a=personas.clerk_a,
        clerk_b=personas.clerk_b,
        reviewer_b=make_staff("reviewer.b", city.dept_b, [Role.REVIEWER]),
        approver_b=make_staff("approver.b", city.dept_b, [Role.APPROVER]),
        clerk_c=make_staff("clerk.c", dept_c, [Role.WINDOW_CLERK]),
        reviewer_c2=make_staff("reviewer.c2", dept_c2, [Role.REVIEWER]),
        dept_c2=dept_c2,
        citizen=personas.citizen,
        other_citizen=personas.other_citizen,
    )


def item_of(
    city: Any, department: Department, region: Any, suffix: str, **fields: Any
) -> TaskVersion:
    item = CatalogItem.objects.filter(catalog_code="000201001000").first()
    if item is None:
        item = catalog_actions.create_catalog_item(
            actor=SYSTEM, catalog_code="000201001000", name="食品经营许可", task_type="01"
        )
    version = catalog_actions.create_task(
        actor=SYSTEM,
        catalog_item=item,
        department=department,
        region=region,
        task_code=f"{department.uscc}4000201001{suffix}",
        fields={**FOOD_LICENCE_FIELDS, **fields},
        children=FOOD_LICENCE_CHILDREN,
    )
    catalog_actions.submit_version(actor=SYSTEM, version=version)
    catalog_actions.approve_version(actor=SYSTEM, version=version)
    published: TaskVersion = catalog_actions.publish_version(actor=SYSTEM, version=version)
    return published


@pytest.fixture
def version_b(city: Any) -> TaskVersion:
    """An item of 西湖区行政审批局 open city-wide (全市通办)."""
    return item_of(city, city.dept_b, city.county_b, "0101", handle_area="2")


def register(sides: Sides, version: TaskVersion, when: dt.datetime = MONDAY, **kw: Any) -> Case:
    person = Person.objects.get(user=sides.citizen)
    return actions.receive_on_behalf(
        actor=sides.clerk_a,
        version_id=version.pk,
        person=person,
        uploads=full_uploads(version),
        now=when,
        **kw,
    )


def forwarded(sides: Sides, version: TaskVersion, **kw: Any) -> Case:
    case = register(sides, version, **kw)
    case = actions.proxy_check(actor=sides.clerk_a, case=case, now=MONDAY)
    return actions.proxy_forward(
        actor=sides.clerk_a, case=case, channel="electronic", now=MONDAY + dt.timedelta(hours=2)
    )


def fresh(case: Case) -> Case:
    return Case.objects.select_related(*queries.LIST_RELATED).get(pk=case.pk)


# --- where an item may be accepted ---------------------------------------------------------


def test_registration_records_both_sides_and_the_hall_step(sides: Sides, version_b: Any) -> None:
    case = register(sides, version_b)
    assert case.status == CaseStatus.SUBMITTED
    assert case.accepting_department.name == "东湖区行政审批局"
    assert case.implementing_department.name == "西湖区行政审批局"
    assert case.apply_type == "2" and case.apply_date == MONDAY and case.received_at is None
    step = case.processes.get()
    assert step.event_name == EventName.PROXY_RECEIVE
    assert step.handle_department.name == "东湖区行政审批局"
    handoff = CaseHandoff.objects.get(case=case)
    assert (handoff.mode, handoff.stage) == ("proxy", HandoffStage.RECEIVED)
    assert AuditEntry.objects.filter(action="cases.proxy_receive").count() == 1
    assert case.events.filter(kind="case.proxy_receive").count() == 1


def test_local_item_is_refused_at_another_countys_hall_and_nothing_changes(
    city: Any, sides: Sides
) -> None:
    local = item_of(city, city.dept_b, city.county_b, "0102", handle_area="1")
    before = (Case.objects.count(), CaseProcess.objects.count(), CaseHandoff.objects.count())
    with pytest.raises(DomainError) as refused:
        register(sides, local)
    assert refused.value.code == "not_open_for_cross_area"
    assert "本级" in refused.value.message
    after = (Case.objects.count(), CaseProcess.objects.count(), CaseHandoff.objects.count())
    assert after == before


def test_local_item_may_be_received_by_another_hall_of_its_own_county(
    city: Any, sides: Sides
) -> None:
    local_a = item_of(city, city.dept_a2, city.county_a, "0103", handle_area="1")
    case = register(sides, local_a)
    assert case.implementing_department == city.dept_a2
    assert case.accepting_department == city.dept_a


def test_the_implementing_department_does_not_register_on_its_own_behalf(
    city: Any, sides: Sides, version_b: Any
) -> None:
    person = Person.objects.get(user=sides.citizen)
    with pytest.raises(DomainError) as refused:
        actions.receive_on_behalf(
            actor=sides.clerk_b, version_id=version_b.pk, person=person, uploads={}
        )
    assert refused.value.code == "not_cross_area"


@pytest.mark.parametrize("who", ["citizen", "reviewer_b"])
def test_only_window_clerks_register(sides: Sides, version_b: Any, who: str) -> None:
    person = Person.objects.get(user=sides.citizen)
    with pytest.raises(PermissionDenied):
        actions.receive_on_behalf(
            actor=getattr(sides, who), version_id=version_b.pk, person=person, uploads={}
        )
    assert Case.objects.count() == 0


# --- each side in its role -------------------------------------------------------------------


def test_a_and_b_see_the_case_c_gets_404_on_page_and_api(sides: Sides, version_b: Any) -> None:
    case = forwarded(sides, version_b)
    for user in (sides.clerk_a, sides.clerk_b, sides.reviewer_b, sides.citizen):
        assert client_for(user).get(f"/cases/{case.pk}/").status_code == 200
        assert client_for(user).get(f"/api/v1/cases/{case.pk}").status_code == 200
    for user in (sides.clerk_c, sides.reviewer_c2, sides.other_citizen):
        assert client_for(user).get(f"/cases/{case.pk}/").status_code == 404
        assert client_for(user).get(f"/api/v1/cases/{case.pk}").status_code == 404
        api = client_for(user).post(
            f"/api/v1/cases/{case.pk}/transitions",
            {"action": "receive"},
            content_type="application/json",
        )
        assert api.status_code == 404
    assert client_for(None).get(f"/api/v1/cases/{case.pk}").status_code in {401, 404}


def test_another_countys_clerk_is_refused_every_action(sides: Sides, version_b: Any) -> None:
    case = register(sides, version_b)
    valid = {
        "reason": "理由", "explain": "意见", "channel": "post", "tracking_no": "SF12345678",
        "opinion": "agree", "granted": True, "special_type": "1", "duration_explain": "10 日",
        "result": "结果", "method": "window", "department_id": str(sides.dept_c2.pk),
        "days": "5", "remedy_notice": "复议",
    }  # fmt: skip
    for name in dispatch.TRANSITION_NAMES:
        with pytest.raises(DomainError) as refused:
            dispatch.perform(sides.clerk_c, fresh(case), name, valid)
        assert refused.value.code in {"permission_denied", "not_found"}, name
    assert fresh(case).row_version == case.row_version
    assert dispatch.allowed_for(sides.clerk_c, fresh(case)) == []


def test_b_cannot_do_the_halls_steps_and_a_cannot_receive_or_accept(
    sides: Sides, version_b: Any
) -> None:
    case = register(sides, version_b)
    assert dispatch.allowed_for(sides.clerk_a, fresh(case)) == ["proxy_check", "proxy_return"]
    assert dispatch.allowed_for(sides.clerk_b, fresh(case)) == []
    with pytest.raises(PermissionDenied):
        actions.proxy_check(actor=sides.clerk_b, case=fresh(case))
    # Not forwarded yet: B cannot take it in.
    with pytest.raises(DomainError) as early:
        actions.receive_case(actor=sides.clerk_b, case=fresh(case))
    assert early.value.code == "transition_not_allowed"
    case = actions.proxy_check(actor=sides.clerk_a, case=fresh(case))
    case = actions.proxy_forward(actor=sides.clerk_a, case=case, channel="electronic")
    with pytest.raises(PermissionDenied):
        actions.receive_case(actor=sides.clerk_a, case=fresh(case))
    case = actions.receive_case(actor=sides.clerk_b, case=fresh(case))
    assert dispatch.allowed_for(sides.clerk_a, fresh(case)) == []
    for name in ("accept", "not_accept", "request_correction"):
        with pytest.raises(PermissionDenied):
            dispatch.perform(sides.clerk_a, fresh(case), name, {"reason": "x"})
    case = actions.accept_case(actor=sides.clerk_b, case=fresh(case))
    assert case.status == CaseStatus.ACCEPTED


def test_forwarding_by_post_needs_a_tracking_number(sides: Sides, version_b: Any) -> None:
    case = actions.proxy_check(actor=sides.clerk_a, case=register(sides, version_b))
    with pytest.raises(DomainError) as refused:
        actions.proxy_forward(actor=sides.clerk_a, case=case, channel="post", tracking_no="")
    assert refused.value.code == "tracking_no_required"
    assert CaseHandoff.objects.get(case=case).stage == HandoffStage.CHECKED
    case = actions.proxy_forward(
        actor=sides.clerk_a, case=case, channel="post", tracking_no="SF1234567890"
    )
    handoff = CaseHandoff.objects.get(case=case)
    assert (handoff.stage, handoff.tracking_no) == (HandoffStage.FORWARDED, "SF1234567890")


def test_the_hall_returns_unfit_materials_to_the_applicant(sides: Sides, version_b: Any) -> None:
    case = register(sides, version_b)
    with pytest.raises(PermissionDenied):
        actions.proxy_return(actor=sides.clerk_b, case=fresh(case), reason="不符合")
    with pytest.raises(DomainError):
        actions.return_case(actor=sides.clerk_b, case=fresh(case), reason="不符合")
    case = actions.proxy_return(actor=sides.clerk_a, case=fresh(case), reason="申请书未签字")
    assert case.status == CaseStatus.RETURNED
    assert CaseHandoff.objects.get(case=case).stage == HandoffStage.RETURNED


# --- queues ----------------------------------------------------------------------------------


def test_queues_follow_the_hand_off(sides: Sides, version_b: Any) -> None:
    case = register(sides, version_b)

    def ids(user: User, queue: str) -> list[int]:
        return list(queries.queue_for_user(user, queue).values_list("pk", flat=True))

    assert ids(sides.clerk_a, "proxy") == [case.pk]
    assert ids(sides.clerk_a, "receive") == [] and ids(sides.clerk_b, "receive") == []
    assert case.pk in ids(sides.clerk_b, "all") and case.pk in ids(sides.clerk_a, "all")
    assert ids(sides.clerk_c, "all") == [] and ids(sides.clerk_c, "proxy") == []
    case = actions.proxy_check(actor=sides.clerk_a, case=case)
    case = actions.proxy_forward(actor=sides.clerk_a, case=case, channel="electronic")
    assert ids(sides.clerk_a, "proxy") == [] and ids(sides.clerk_a, "receive") == []
    assert ids(sides.clerk_b, "receive") == [case.pk]


# --- the whole journey, the timeline and the clock -------------------------------------------


def test_result_comes_back_to_the_hall_and_both_sides_are_on_one_timeline(
    sides: Sides, version_b: Any
) -> None:
    case = forwarded(sides, version_b, return_to_hall=True)
    case = actions.receive_case(actor=sides.clerk_b, case=case)
    case = actions.accept_case(actor=sides.clerk_b, case=case)
    case = actions.review_case(actor=sides.reviewer_b, case=case, opinion="agree")
    case = actions.decide_case(actor=sides.approver_b, case=case, granted=True)
    case = actions.issue_result(actor=sides.approver_b, case=case)
    assert "start_delivery" not in dispatch.allowed_for(sides.clerk_b, fresh(case))
    with pytest.raises(PermissionDenied):
        actions.return_result(actor=sides.clerk_a, case=fresh(case))
    case = actions.return_result(actor=sides.clerk_b, case=fresh(case))
    assert case.status == CaseStatus.DELIVERING
    assert "complete" not in dispatch.allowed_for(sides.clerk_b, fresh(case))
    with pytest.raises(PermissionDenied):
        actions.hall_handover(actor=sides.clerk_b, case=fresh(case))
    case = actions.hall_handover(actor=sides.clerk_a, case=fresh(case))
    assert case.status == CaseStatus.COMPLETED
    body = client_for(sides.citizen).get(f"/api/v1/cases/{case.pk}").json()
    steps = [(p["event_label"], p["handle_department"]) for p in body["processes"]]
    assert steps[:3] == [
        ("代收收件", "东湖区行政审批局"),
        ("形式审查", "东湖区行政审批局"),
        ("材料转递", "东湖区行政审批局"),
    ]
    assert ("收件", "西湖区行政审批局") in steps and ("受理", "西湖区行政审批局") in steps
    assert steps[-2:] == [("结果回传", "西湖区行政审批局"), ("代收窗口送达", "东湖区行政审批局")]
    times = [p["event_end_time"] for p in body["processes"]]
    assert times == sorted(times)
    assert body["handling_mode"] == "proxy"
    assert body["handoffs"][0]["stage"] == "delivered"


def test_the_statutory_clock_starts_when_the_materials_reach_the_implementing_department(
    sides: Sides, version_b: Any
) -> None:
    """收件 at A on Monday, electronic forwarding on Wednesday: the §32 5-day notice limit
    counts from Wednesday, and A's 收件 stays the application date."""
    case = register(sides, version_b, when=MONDAY)
    case = actions.proxy_check(actor=sides.clerk_a, case=case, now=MONDAY)
    wednesday = at(2026, 3, 4, 15)
    case = actions.proxy_forward(
        actor=sides.clerk_a, case=case, channel="electronic", now=wednesday
    )
    case = actions.receive_case(actor=sides.clerk_b, case=case, now=at(2026, 3, 5, 9))
    assert case.apply_date == MONDAY
    assert case.received_at == wednesday
    # Monday + 5 working days is the next Monday; Wednesday + 5 is the next Wednesday.
    row = case.materials.order_by("pk")[0]
    case = actions.request_correction(
        actor=sides.clerk_b,
        case=fresh(case),
        rejections={row.pk: "缺少签字"},
        now=at(2026, 3, 11, 10),
    )
    assert case.status == CaseStatus.CORRECTION_REQUIRED


def test_posted_materials_start_the_clock_on_arrival(sides: Sides, version_b: Any) -> None:
    case = actions.proxy_check(actor=sides.clerk_a, case=register(sides, version_b), now=MONDAY)
    case = actions.proxy_forward(
        actor=sides.clerk_a, case=case, channel="post", tracking_no="EMS-0001234", now=MONDAY
    )
    thursday = at(2026, 3, 5, 11)
    case = actions.receive_case(actor=sides.clerk_b, case=case, now=thursday)
    assert case.received_at == thursday
    assert CaseHandoff.objects.get(case=case).arrived_at == thursday


def test_deemed_acceptance_dates_from_arrival_not_from_the_halls_receipt(
    sides: Sides, version_b: Any
) -> None:
    case = actions.proxy_check(actor=sides.clerk_a, case=register(sides, version_b), now=MONDAY)
    wednesday = at(2026, 3, 4, 15)
    case = actions.proxy_forward(
        actor=sides.clerk_a, case=case, channel="electronic", now=wednesday
    )
    case = actions.receive_case(actor=sides.clerk_b, case=case, now=wednesday)
    with pytest.raises(DomainError) as early:
        # Monday + 5 working days has passed, Wednesday + 5 has not.
        actions.deem_accept(actor=SYSTEM, case=case, now=at(2026, 3, 10, 12))
    assert early.value.code == "not_yet_deemed"
    case = actions.deem_accept(actor=SYSTEM, case=fresh(case), now=at(2026, 3, 12, 12))
    assert case.accept_date == wednesday


# --- 多地联办 ----------------------------------------------------------------------------------


def test_joint_part_in_another_county(sides: Sides, version_b: Any, city: Any) -> None:
    case = actions.receive_case(actor=sides.clerk_b, case=forwarded(sides, version_b))
    case = actions.accept_case(actor=sides.clerk_b, case=case)
    assert client_for(sides.reviewer_c2).get(f"/cases/{case.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        actions.assign_joint_part(actor=sides.clerk_a, case=fresh(case), department=sides.dept_c2)
    actions.assign_joint_part(
        actor=sides.clerk_b, case=fresh(case), department=sides.dept_c2, step_name="现场核查"
    )
    assert client_for(sides.reviewer_c2).get(f"/cases/{case.pk}/").status_code == 200
    assert case.pk in queries.queue_for_user(sides.reviewer_c2, "review").values_list(
        "pk", flat=True
    )
    assert dispatch.allowed_for(sides.reviewer_c2, fresh(case)) == ["review"]
    assert client_for(sides.clerk_c).get(f"/cases/{case.pk}/").status_code == 404
    case = actions.review_case(actor=sides.reviewer_b, case=fresh(case), opinion="agree")
    with pytest.raises(DomainError):
        actions.decide_case(actor=sides.approver_b, case=fresh(case), granted=True)
    case = actions.review_case(actor=sides.reviewer_c2, case=fresh(case), opinion="agree")
    case = actions.decide_case(actor=sides.approver_b, case=fresh(case), granted=True)
    assert case.status == CaseStatus.DECIDED and case.is_joint
    depts = set(case.processes.values_list("handle_department__name", flat=True))
    assert {"东湖区行政审批局", "西湖区行政审批局", "青山湖区市场监督管理局"} <= depts


def test_joint_part_outside_a_local_items_county_is_refused(city: Any, sides: Sides) -> None:
    local = item_of(city, city.dept_b, city.county_b, "0104", handle_area="1")
    person = Person.objects.get(user=sides.citizen)
    case = actions.submit_case(
        actor=sides.citizen, version_id=local.pk, uploads=full_uploads(local)
    )
    assert person.pk == case.applicant_person_id
    case = actions.receive_case(actor=sides.clerk_b, case=case)
    case = actions.accept_case(actor=sides.clerk_b, case=case)
    with pytest.raises(DomainError) as refused:
        actions.assign_joint_part(actor=sides.clerk_b, case=fresh(case), department=sides.dept_c2)
    assert refused.value.code == "not_open_for_cross_area"
    assert fresh(case).review_tasks.count() == 1


# --- single-county cases are unchanged ---------------------------------------------------------


def test_an_online_case_shows_its_mode_and_goes_straight_to_the_implementing_department(
    sides: Sides, version_b: Any
) -> None:
    case = actions.submit_case(
        actor=sides.citizen, version_id=version_b.pk, uploads=full_uploads(version_b)
    )
    assert case.accepting_department_id == case.implementing_department_id
    body = client_for(sides.clerk_b).get(f"/api/v1/cases/{case.pk}").json()
    assert body["handling_mode"] == "online" and body["handoffs"] == []
    assert body["allowed_actions"][:2] == ["receive", "return_case"]
    assert client_for(sides.clerk_a).get(f"/cases/{case.pk}/").status_code == 404
