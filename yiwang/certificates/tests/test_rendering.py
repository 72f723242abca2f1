"""The PDF and its QR payload: the printed QR is checkable offline and refuses changes."""

from __future__ import annotations

import base64
import json
import re

import pytest

from yiwang.certificates import rendering
from yiwang.certificates.keys import RESOLVER
from yiwang.certificates.tests.conftest import issue_disability, issue_food
from yiwang.certificates.vc.compact import CompactError, verify_compact


def test_qr_leads_to_the_public_page_and_carries_a_signed_payload(setup):
    certificate = issue_food(setup)
    text = rendering.qr_text(certificate)
    url, _, token = text.partition("#")
    assert url == f"https://zw.nanchang.example/certificates/{certificate.identifier}"
    claims = verify_compact(text, RESOLVER)
    assert claims["id"] == certificate.identifier
    assert claims["n"] == certificate.certificate_number
    assert claims["h"] == "南昌赣香餐饮管理有限公司"
    assert claims["d"] == certificate.credential_digest
    assert claims["m"] == certificate.verification_method
    # It fits a QR code a phone reads comfortably.
    assert rendering.qr_code(certificate).version <= 25


def test_an_altered_qr_payload_is_refused(setup):
    certificate = issue_disability(setup)
    prefix, body, signature = certificate.qr_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert "*" in claims["c"]  # the holder's ID number is masked on paper
    claims["u"] = "2099-12-31"
    forged_body = (
        base64.urlsafe_b64encode(
            json.dumps(claims, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
        )
        .rstrip(b"=")
        .decode()
    )
    with pytest.raises(CompactError) as caught:
        verify_compact(f"{prefix}.{forged_body}.{signature}", RESOLVER)
    assert caught.value.code in {"bad_signature", "malformed"}
    for bad in ("", "YW1", "YW1.a.b", "http://x#YW2.a.b", "YW1.!!.??"):
        with pytest.raises(CompactError):
            verify_compact(bad, RESOLVER)


def test_pdf_is_one_page_with_the_identifier(setup):
    certificate = issue_food(setup)
    pdf = rendering.render_pdf(certificate)
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type /Page(?!s)", pdf)) == 1
    assert certificate.identifier.encode() in pdf  # document subject
    assert b"STSong-Light" in pdf
