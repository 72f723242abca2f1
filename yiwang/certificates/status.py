"""The issuers' Bitstring Status Lists: index allocation, bit changes, the signed list credential.

Each issuing department has one index space; a certificate's index is the same in the
department's revocation list and its suspension list. List number n holds indices
(n-1)*SIZE … n*SIZE-1. Every change re-signs the list credential in the same transaction,
so what a verifier downloads is always the state the database holds.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from yiwang.certificates.choices import StatusPurpose
from yiwang.certificates.keys import (
    active_key,
    controller_url,
    private_key_of,
    public_base,
    verification_method_id,
)
from yiwang.certificates.models import IssuerKey, StatusList
from yiwang.certificates.vc.dataintegrity import add_proof
from yiwang.certificates.vc.status_list import (
    MIN_ENTRIES,
    BitstringStatusList,
    build_status_list_credential,
    status_list_entry,
)
from yiwang.core import numbering
from yiwang.regions.models import Department

SIZE = MIN_ENTRIES


def list_url(department_uscc: str, purpose: str, number: int) -> str:
    return f"{public_base()}/certificates/status/{department_uscc}/{purpose}/{number}"


def allocate_index(department: Department) -> tuple[int, int]:
    """(list number, index within the list) for a new certificate of `department`."""
    value = numbering.next_value(f"certificates.status_index.{department.uscc}") - 1
    return value // SIZE + 1, value % SIZE


def entries(department: Department, number: int, index: int) -> list[dict[str, str]]:
    """The credentialStatus entries of a certificate: revocation and suspension."""
    return [
        status_list_entry(
            list_credential=list_url(department.uscc, purpose, number),
            index=index,
            status_purpose=purpose,
        )
        for purpose in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION)
    ]


def _sign(department: Department, purpose: str, number: int, bits: BitstringStatusList) -> str:
    key: IssuerKey = active_key(department)
    credential = build_status_list_credential(
        list_id=list_url(department.uscc, purpose, number),
        issuer={"id": controller_url(department.uscc), "name": department.name},
        status_list=bits,
        status_purpose=purpose,
        valid_from=datetime.now(UTC),
    )
    signed = add_proof(
        credential,
        private_key_of(key),
        verification_method=verification_method_id(department.uscc, key.key_id),
    )
    return json.dumps(signed, ensure_ascii=False, separators=(",", ":"))


def locked_list(department: Department, purpose: str, number: int) -> StatusList:
    """The list row, locked; created (all zeros, signed) on first use."""
    row = (
        StatusList.objects.select_for_update()
        .filter(department=department, purpose=purpose, number=number)
        .first()
    )
    if row is not None:
        return row
    bits = BitstringStatusList(SIZE)
    return StatusList.objects.create(
        department=department,
        purpose=purpose,
        number=number,
        encoded_list=bits.encode(),
        credential_json=_sign(department, purpose, number, bits),
    )


def set_status(department: Department, purpose: str, number: int, index: int, value: bool) -> None:
    """Set or clear one certificate's bit and re-sign the list (inside the caller's transaction)."""
    row = locked_list(department, purpose, number)
    bits = BitstringStatusList.decode(row.encoded_list)
    if bool(bits.get(index)) == value:
        return
    bits.set(index, int(value))
    row.encoded_list = bits.encode()
    row.credential_json = _sign(department, purpose, number, bits)
    row.save(update_fields=["encoded_list", "credential_json", "updated_at"])
