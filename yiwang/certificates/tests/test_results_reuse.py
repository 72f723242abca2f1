"""What the cases app calls: the result issuer and the 免提交 material provider, called directly."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

from yiwang.catalog.models import Material
from yiwang.catalog.tests.conftest import make_published_task
from yiwang.certificates import actions, results
from yiwang.certificates.choices import UseKind
from yiwang.certificates.models import Certificate, CertificateUse
from yiwang.certificates.tests.conftest import issue_disability
from yiwang.core.actors import SYSTEM


def _business_licence(setup, holder=None):
    return actions.issue_certificate(
        actor=SYSTEM,
        certificate_type=setup.business_licence,
        holder=holder or setup.company,
        issuer=setup.city.dept_a2,
        face={"legal_representative": "罗斌", "scope": "餐饮服务"},
    )


def test_provider_returns_the_valid_certificate_for_its_holder(setup):
    version = make_published_task(setup.city)
    material = Material.objects.get(version=version, source_type="4")
    assert material.source_certificate_type_code == setup.business_licence.type_code
    certificate = _business_licence(setup)
    reused = results.provide_material(setup.company, material)
    assert reused is not None
    assert reused.source == "certificate"
    assert reused.reference == certificate.identifier
    digest = hashlib.sha256(actions.credential_of(certificate).encode()).hexdigest()
    assert reused.digest == digest == certificate.credential_digest
    assert reused.label == "营业执照"
    use = CertificateUse.objects.get(certificate=certificate)
    assert use.kind == UseKind.REUSE and "食品经营许可" in use.purpose


def test_provider_returns_nothing_for_another_holder_or_another_material(setup):
    version = make_published_task(setup.city)
    licence = Material.objects.get(version=version, source_type="4")
    application_form = Material.objects.get(version=version, source_type="1")
    _business_licence(setup)
    from yiwang.identity import actions as identity_actions
    from yiwang.portal.demo.city import uscc_for

    other_company = identity_actions.register_legal_person(
        actor=SYSTEM,
        name="江西洪城建设工程有限公司",
        uscc=uscc_for("91360103", 300_002),
        applicant_type="2",
        legal_representative="梁晨",
        region=setup.city.county_b,
    )
    assert results.provide_material(other_company, licence) is None
    assert results.provide_material(setup.person, licence) is None
    assert results.provide_material(setup.personas.other_citizen, licence) is None
    assert results.provide_material(setup.company, application_form) is None


def test_provider_skips_a_certificate_that_is_no_longer_valid(setup):
    version = make_published_task(setup.city)
    material = Material.objects.get(version=version, source_type="4")
    certificate = _business_licence(setup)
    actions.suspend_certificate(actor=SYSTEM, certificate=certificate, reason="检查")
    assert results.provide_material(setup.company, material) is None


def test_provider_accepts_a_citizens_user_as_applicant(setup):
    certificate = issue_disability(setup)
    material = SimpleNamespace(
        source_type="4",
        source_certificate_type_code=setup.disability_card.type_code,
        material_name="残疾人证",
        version=None,
    )
    reused = results.provide_material(setup.personas.citizen, material)
    assert reused.reference == certificate.identifier
    assert results.provide_material(setup.personas.other_citizen, material) is None
    use = CertificateUse.objects.get(certificate=certificate)
    assert use.actor_id == setup.personas.citizen.pk


def test_result_issuer_issues_once_per_case(setup):
    version = make_published_task(
        setup.city,
        code_suffix="0002",
        result_certificate_type_code=setup.food_licence.type_code,
    )
    case = SimpleNamespace(
        project_no="360102-2026-000042",
        task_version=version,
        applicant_legal_person=setup.company,
        department=setup.city.dept_a2,
        form_data={
            "operator": "南昌赣香餐饮管理有限公司",
            "premises": "八一大道 1 号",
            "items": "热食类食品制售",
            "unrelated": "ignored",
        },
    )
    identifier = results.issue_for_case(case, setup.approver_a2)
    certificate = Certificate.objects.get(identifier=identifier)
    assert certificate.case_project_no == "360102-2026-000042"
    assert certificate.holder_legal_person == setup.company
    assert certificate.certificate_type == setup.food_licence
    # A retry (the case's task ran twice) returns the same certificate, issues no second one.
    assert results.issue_for_case(case, setup.approver_a2) == identifier
    assert Certificate.objects.count() == 1


def test_result_issuer_ignores_items_without_a_certificate_result(setup):
    version = make_published_task(setup.city, code_suffix="0003", result_type="3")
    case = SimpleNamespace(
        project_no="p", task_version=version, applicant_legal_person=setup.company
    )
    assert results.issue_for_case(case, SYSTEM) is None
    assert not Certificate.objects.exists()


def test_case_reuse_is_logged_with_the_case_number(setup):
    certificate = _business_licence(setup)
    assert results.record_case_reuse(
        reference=certificate.identifier,
        case_project_no="360102-2026-000043",
        purpose="食品经营许可（新办）：营业执照",
        actor=setup.operator,
    )
    use = CertificateUse.objects.get(certificate=certificate)
    assert use.case_project_no == "360102-2026-000043"
    assert not results.record_case_reuse(
        reference="1.2.156.nothing", case_project_no="x", purpose="x", actor=SYSTEM
    )
