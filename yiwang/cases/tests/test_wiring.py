"""The apps plugged into cases, end to end with the real Case model and the real registries:
the ledger anchors every case event, the applicant is notified and invited to rate, unpaid
fees hold delivery, and a granted case issues its e-certificate."""

from __future__ import annotations

import pytest
from django.utils import timezone

from yiwang.cases import actions
from yiwang.cases.choices import CaseStatus
from yiwang.cases.models import OutboxEvent
from yiwang.cases.outbox import deliver_pending, registered_consumers
from yiwang.cases.tests.conftest import at, pdf, submit
from yiwang.catalog.tests.conftest import make_published_task
from yiwang.core.actors import SYSTEM
from yiwang.core.errors import DomainError

pytestmark = pytest.mark.django_db


def decided(personas, staff, version, *, granted: bool = True, **submitted):
    case = submit(personas.citizen, version, at(2026, 11, 2, 9), **submitted)
    case = actions.receive_case(actor=staff.clerk, case=case, now=at(2026, 11, 2, 10))
    case = actions.accept_case(actor=staff.clerk, case=case, now=at(2026, 11, 2, 11))
    case = actions.review_case(
        actor=staff.reviewer, case=case, opinion="agree", now=at(2026, 11, 3)
    )
    kwargs = {} if granted else {"reason": "不符合条件", "remedy_notice": "可于60日内申请行政复议"}
    return actions.decide_case(
        actor=staff.approver, case=case, granted=granted, now=at(2026, 11, 4), **kwargs
    )


def test_every_app_registered_its_consumer() -> None:
    assert {
        "ledger",
        "notifications.applicant",
        "payments.bill_decided_case",
        "ratings.invitations",
    } <= set(registered_consumers())


def test_every_case_event_is_anchored_in_the_ledger_once(personas, staff, version) -> None:
    from yiwang.ledger.models import LedgerEntry

    case = decided(personas, staff, version)
    case = actions.issue_result(actor=staff.approver, case=case, now=at(2026, 11, 4, 15))
    case = actions.start_delivery(actor=staff.clerk, case=case, method="post", now=at(2026, 11, 5))
    case = actions.complete_case(actor=staff.clerk, case=case, now=at(2026, 11, 6))
    deliver_pending()
    deliver_pending()  # a redelivery must not anchor twice
    events = list(OutboxEvent.objects.filter(case=case).values_list("kind", flat=True))
    anchored = list(
        LedgerEntry.objects.filter(subject=case.project_no)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert anchored == events and "case.complete" in anchored


def test_applicant_is_notified_and_invited_to_rate(personas, staff, version) -> None:
    from yiwang.notifications.models import Notification
    from yiwang.ratings.models import RatingInvitation

    case = submit(personas.citizen, version, at(2026, 11, 2, 9))
    deliver_pending()
    notes = Notification.objects.filter(recipient=personas.citizen)
    assert notes.exists() and any(str(case.project_no) in n.body for n in notes)
    invitation = RatingInvitation.objects.get(case_project_no=case.project_no)
    assert invitation.rater == personas.citizen and invitation.touchpoint == "application"


def test_unpaid_fees_hold_delivery_until_paid(personas, staff, city) -> None:
    from yiwang.payments.actions import settle_paid
    from yiwang.payments.models import PaymentOrder

    version = make_published_task(city, code_suffix="0009")
    version.fees.create(fee_name="工本费", fee_stand="10元/证", amount_fen=1000)
    case = decided(personas, staff, version)
    deliver_pending()
    order = PaymentOrder.objects.get(case_project_no=case.project_no)
    assert order.amount_fen == 1000 and order.payer == personas.citizen
    case = actions.issue_result(actor=staff.approver, case=case, now=at(2026, 11, 4, 15))
    with pytest.raises(DomainError) as caught:
        actions.start_delivery(actor=staff.clerk, case=case, method="post", now=at(2026, 11, 5))
    assert caught.value.code == "fees_unpaid"
    settle_paid(order, "sandbox", "T-1", timezone.now(), via="test")
    case = actions.start_delivery(actor=staff.clerk, case=case, method="post", now=at(2026, 11, 5))
    assert case.status == CaseStatus.DELIVERING


def test_a_refused_case_is_not_billed(personas, staff, city) -> None:
    from yiwang.payments.models import PaymentOrder

    version = make_published_task(city, code_suffix="0010")
    version.fees.create(fee_name="工本费", fee_stand="10元/证", amount_fen=1000)
    case = decided(personas, staff, version, granted=False)
    deliver_pending()
    assert not PaymentOrder.objects.filter(case_project_no=case.project_no).exists()


def test_a_granted_case_issues_its_certificate(personas, staff, city) -> None:
    from yiwang.certificates import actions as certificate_actions
    from yiwang.certificates.models import Certificate
    from yiwang.certificates.tests.conftest import DISABILITY_CARD, make_types

    make_types()
    certificate_actions.create_issuer_key(actor=SYSTEM, department=city.dept_a2)
    version = make_published_task(
        city, code_suffix="0011", result_certificate_type_code=DISABILITY_CARD
    )
    # The certificate's face (残疾类别, 残疾等级) comes from what the applicant filled in.
    case = decided(personas, staff, version, form_data={"category": "肢体", "level": "三级"})
    case = actions.issue_result(actor=staff.approver, case=case, now=at(2026, 11, 4, 15))
    certificate = Certificate.objects.get(case_project_no=case.project_no)
    assert certificate.holder_person == personas.citizen.person
    assert case.result.result_cetr_no == certificate.identifier
    assert certificate.face_data == {"category": "肢体", "level": "三级"}


def test_the_service_guide_leads_to_the_application_form(personas, version) -> None:
    from conftest import client_for

    guide = client_for(None).get(f"/services/item/{version.task.task_code}/").content.decode()
    assert f'href="/cases/apply/{version.pk}/"' in guide
    form = client_for(personas.citizen).get(f"/cases/apply/{version.pk}/")
    assert form.status_code == 200 and version.task_name in form.content.decode()


def test_a_held_certificate_spares_the_upload(personas, city, version) -> None:
    """免提交: the company holds a valid 营业执照, so its operator uploads only the form."""
    from yiwang.certificates import actions as certificate_actions
    from yiwang.certificates.models import CertificateUse
    from yiwang.certificates.tests.conftest import make_types
    from yiwang.identity import actions as identity_actions
    from yiwang.portal.demo.city import uscc_for

    business, _food, _disability = make_types()
    certificate_actions.create_issuer_key(actor=SYSTEM, department=city.dept_a2)
    company = identity_actions.register_legal_person(
        actor=SYSTEM,
        name="南昌赣香餐饮管理有限公司",
        uscc=uscc_for("91360102", 300_001),
        applicant_type="2",
        legal_representative="罗斌",
        region=city.county_a,
    )
    identity_actions.authorise_operator(
        actor=SYSTEM, legal_person=company, user=personas.citizen, scopes=["apply", "certificates"]
    )
    licence = certificate_actions.issue_certificate(
        actor=SYSTEM,
        certificate_type=business,
        holder=company,
        issuer=city.dept_a2,
        face={"legal_representative": "罗斌", "scope": "餐饮服务"},
    )
    form_only = {m.pk: pdf("申请书.pdf") for m in version.materials.filter(source_type="1")}
    assert len(form_only) == 1  # nothing uploaded for the 营业执照
    case = submit(personas.citizen, version, at(2026, 11, 2, 9), uploads=form_only,
                  legal_person=company)  # fmt: skip
    reused = case.materials.get(material_name="营业执照")
    assert reused.reuse_source == "certificate" and reused.reuse_reference == licence.identifier
    assert not reused.file
    assert CertificateUse.objects.filter(certificate=licence).exists()  # the holder sees it
    # Another company's operator, holding nothing, must upload it.
    with pytest.raises(DomainError):
        submit(personas.other_citizen, version, at(2026, 11, 2, 9), uploads=form_only)
