"""The wallet (证照夹), sharing with expiring links, and every use shown to the holder."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from conftest import client_for
from yiwang.certificates import actions
from yiwang.certificates.choices import UseKind
from yiwang.certificates.models import CertificateShare, CertificateUse
from yiwang.certificates.tests.conftest import issue_disability, issue_food
from yiwang.core.errors import DomainError, PermissionDenied


def test_wallet_lists_own_and_operated_certificates_only(setup):
    mine = issue_disability(setup)
    company = issue_food(setup)
    theirs = issue_disability(setup, person=setup.other_person)
    citizen = client_for(setup.personas.citizen)
    page = citizen.get("/certificates/wallet/").content.decode()
    assert mine.certificate_number in page and company.certificate_number in page
    assert theirs.certificate_number not in page
    listed = {c["identifier"] for c in citizen.get("/api/v1/certificates/mine").json()}
    assert listed == {mine.identifier, company.identifier}
    other = client_for(setup.personas.other_citizen)
    assert {c["identifier"] for c in other.get("/api/v1/certificates/mine").json()} == {
        theirs.identifier
    }


def test_a_citizen_never_sees_anothers_certificate(setup):
    theirs = issue_disability(setup, person=setup.other_person)
    citizen = client_for(setup.personas.citizen)
    for url in (
        f"/certificates/wallet/{theirs.identifier}/",
        f"/certificates/wallet/{theirs.identifier}/pdf",
        f"/certificates/wallet/{theirs.identifier}/credential.json",
    ):
        assert citizen.get(url).status_code == 404, url
    for url in (
        f"/api/v1/certificates/{theirs.identifier}",
        f"/api/v1/certificates/{theirs.identifier}/credential",
        f"/api/v1/certificates/{theirs.identifier}/uses",
    ):
        assert citizen.get(url).status_code == 404, url
    shared = citizen.post(
        f"/api/v1/certificates/{theirs.identifier}/shares",
        data={"purpose": "x", "days": 1},
        content_type="application/json",
    )
    assert shared.status_code == 404
    revoke = citizen.post(
        f"/api/v1/certificates/{theirs.identifier}/status",
        data={"operation": "cancel", "reason": "x"},
        content_type="application/json",
    )
    assert revoke.status_code == 404
    assert not CertificateShare.objects.exists()


def test_operator_without_certificate_scope_does_not_see_company_certificates(setup):
    from yiwang.identity.models import Operator

    certificate = issue_food(setup)
    Operator.objects.filter(user=setup.operator).update(scopes=["apply"])
    response = client_for(setup.operator).get(f"/api/v1/certificates/{certificate.identifier}")
    assert response.status_code == 404


def test_staff_see_certificates_of_their_jurisdiction(setup):
    certificate = issue_food(setup)
    assert client_for(setup.approver_a2).get("/certificates/manage/").status_code == 200
    assert (
        client_for(setup.approver_a2)
        .get(f"/certificates/manage/{certificate.identifier}/")
        .status_code
        == 200
    )
    # A clerk of another county sees nothing of county A.
    assert (
        client_for(setup.personas.clerk_b)
        .get(f"/certificates/manage/{certificate.identifier}/")
        .status_code
        == 404
    )
    assert certificate.certificate_number not in (
        client_for(setup.personas.clerk_b).get("/certificates/manage/").content.decode()
    )
    # A citizen gets no staff desk.
    assert client_for(setup.personas.citizen).get("/certificates/manage/").status_code == 403


def test_staff_changes_status_from_the_desk_only_with_the_right_role(setup):
    certificate = issue_food(setup)
    clerk = client_for(setup.personas.clerk_a)  # same county, other department, no approver role
    url = f"/certificates/manage/{certificate.identifier}/status"
    assert clerk.post(url, {"operation": "suspend", "reason": "x"}).status_code == 404
    approver = client_for(setup.approver_a2)
    response = approver.post(url, {"operation": "suspend", "reason": "限期整改"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "suspended"
    page = approver.get(f"/certificates/manage/{certificate.identifier}/").content.decode()
    assert "限期整改" in page


def test_sharing_for_a_purpose_and_every_use_is_visible_to_the_holder(setup):
    certificate = issue_food(setup)
    operator = client_for(setup.operator)
    response = operator.post(
        f"/certificates/wallet/{certificate.identifier}/share",
        {"purpose": "银行开户核验", "days": "3"},
        follow=True,
    )
    text = response.content.decode()
    link = re.search(r"http://testserver(/certificates/shared/[^/\s<]+/)", text).group(1)
    bank = client_for(None)
    shown = bank.get(link)
    assert shown.status_code == 200
    assert "银行开户核验" in shown.content.decode() and "核验通过" in shown.content.decode()
    download = bank.get(link + "credential.json")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vc")
    uses = list(CertificateUse.objects.filter(certificate=certificate).order_by("id"))
    assert [u.kind for u in uses] == [UseKind.SHARE_VIEW, UseKind.SHARE_DOWNLOAD]
    assert all(u.purpose == "银行开户核验" and u.actor_label == "anonymous" for u in uses)
    detail = operator.get(f"/certificates/wallet/{certificate.identifier}/").content.decode()
    assert detail.count("银行开户核验") >= 3  # the share and both uses
    api_uses = operator.get(f"/api/v1/certificates/{certificate.identifier}/uses").json()
    assert [u["kind"] for u in api_uses] == ["share_download", "share_view"]


def test_share_links_expire_and_can_be_withdrawn(setup):
    certificate = issue_food(setup)
    share, raw = actions.share_certificate(
        actor=setup.operator, certificate=certificate, purpose="租房", days=1
    )
    anonymous = client_for(None)
    assert anonymous.get(f"/certificates/shared/{raw}/").status_code == 200
    CertificateShare.objects.filter(pk=share.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = anonymous.get(f"/certificates/shared/{raw}/")
    assert expired.status_code == 410
    assert anonymous.get(f"/certificates/shared/{raw}/credential.json").status_code == 410
    assert anonymous.get("/certificates/shared/not-a-token/").status_code == 410
    second, raw2 = actions.share_certificate(
        actor=setup.operator, certificate=certificate, purpose="租房", days=1
    )
    # Only the holder withdraws; someone else's attempt is a 404.
    other = client_for(setup.personas.other_citizen)
    assert other.post(f"/certificates/wallet/shares/{second.pk}/revoke").status_code == 404
    client_for(setup.operator).post(f"/certificates/wallet/shares/{second.pk}/revoke")
    assert anonymous.get(f"/certificates/shared/{raw2}/").status_code == 410
    assert CertificateUse.objects.filter(certificate=certificate).count() == 1


def test_share_input_is_checked(setup):
    certificate = issue_food(setup)
    for purpose, days in (("", 3), ("用途", 0), ("用途", 31), ("x" * 201, 3)):
        with pytest.raises(DomainError):
            actions.share_certificate(
                actor=setup.operator, certificate=certificate, purpose=purpose, days=days
            )
    with pytest.raises(PermissionDenied):
        actions.share_certificate(
            actor=setup.personas.other_citizen, certificate=certificate, purpose="x", days=1
        )
    response = client_for(setup.operator).post(
        f"/certificates/wallet/{certificate.identifier}/share",
        {"purpose": "x", "days": "abc"},
        follow=True,
    )
    assert response.status_code == 200
    assert "分享有效期须为 1 至 30 天" in response.content.decode()
    assert not CertificateShare.objects.exists()


def test_holder_downloads_pdf_and_credential(setup):
    certificate = issue_disability(setup)
    citizen = client_for(setup.personas.citizen)
    pdf = citizen.get(f"/certificates/wallet/{certificate.identifier}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    vc = citizen.get(f"/certificates/wallet/{certificate.identifier}/credential.json")
    assert vc.status_code == 200
    assert actions.credential_of(certificate).encode() == vc.content
