"""免提交 from shared data: fill a case material from its provider through the exchange.

The call is made for the department that handles the item (the consumer), under its
authorisation for the resource, by the subsystem the platform hosts for that department,
with the case (or, before the case exists, the item and material) as the stated purpose.
The provider node logs it against the citizen, so it shows on their "who used my data" page.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rfc8785

from yiwang.core.crypto import decrypt_text
from yiwang.exchange import clock, conf
from yiwang.exchange.choices import AuthorisationStatus
from yiwang.exchange.models import Authorisation, ExchangeService, Resource, Subsystem
from yiwang.exchange.runtime import CallResult
from yiwang.identity.actions import DOCUMENT_CONTEXT
from yiwang.identity.models import LegalPerson, Person

logger = logging.getLogger(__name__)

SHARED_DATA_SOURCE = "5"  # catalog.choices.MaterialSource.SHARED_DATA


class Caller:
    """How the platform makes a call: through its consumer node (`call_service`)."""

    def __call__(
        self,
        *,
        client: str,
        service: str,
        authorisation: str,
        purpose: str,
        user_id: str,
        subject: Mapping[str, Any] | None,
        items: Sequence[str],
    ) -> CallResult:
        from yiwang.exchange.client import call_service

        settings = conf.consumer()
        return call_service(
            node_url=settings["url"],
            token=settings.get("token", ""),
            client=client,
            service=service,
            authorisation=authorisation,
            purpose=purpose,
            user_id=user_id,
            subject=subject,
            items=items,
        )


CallerFunction = Callable[..., CallResult]
_override: CallerFunction | None = None


def set_caller(caller: CallerFunction | None) -> None:
    """Use another way to call (a node runtime in-process, for tests and one-box set-ups)."""
    global _override
    _override = caller


def platform_caller() -> CallerFunction | None:
    if _override is not None:
        return _override
    return Caller() if conf.consumer().get("url") else None


@dataclass(frozen=True)
class SharedData:
    """What a case keeps of a reused material: where it came from and a digest of it."""

    reference: str
    digest: str
    label: str
    data: dict[str, Any]


def _subject_of(applicant: Any) -> tuple[dict[str, str], str] | None:
    """The applicant as a data subject, and the user id the call is made for."""
    if isinstance(applicant, LegalPerson):
        return {"type": "uscc", "number": applicant.uscc}, f"legal:{applicant.uscc}"
    person = applicant if isinstance(applicant, Person) else getattr(applicant, "person", None)
    if not isinstance(person, Person):
        return None
    number = decrypt_text(person.document_encrypted, context=DOCUMENT_CONTEXT)
    user = person.user.username if person.user_id and person.user else f"person:{person.pk}"
    return {"type": person.document_type, "number": number}, f"yiwang:{user}"


def _purpose(material: Any, case: Any) -> str:
    number = getattr(case, "case_no", None) or getattr(case, "number", None)
    if number:
        return f"办件 {number} 材料「{material.material_name}」免提交"
    task_name = getattr(getattr(material, "version", None), "task_name", "")
    return f"办理「{task_name}」材料「{material.material_name}」免提交"


def fetch_for_material(applicant: Any, material: Any, *, case: Any = None) -> SharedData | None:
    """The material's data fetched through the exchange, or None (the applicant uploads)."""
    code = getattr(material, "source_data_resource_code", "")
    if getattr(material, "source_type", "") != SHARED_DATA_SOURCE or not code:
        return None
    caller = platform_caller()
    if caller is None:
        return None
    resource = Resource.objects.filter(code=code, current_version__isnull=False).first()
    task = getattr(getattr(material, "version", None), "task", None)
    department_id = getattr(task, "department_id", None)
    subject = _subject_of(applicant)
    if resource is None or department_id is None or subject is None:
        return None
    today = clock.today()
    authorisation = (
        Authorisation.objects.filter(
            consumer_department_id=department_id,
            resource=resource,
            status=AuthorisationStatus.ACTIVE,
            period_start__lte=today,
            period_end__gte=today,
        )
        .order_by("-created_at")
        .first()
    )
    service = ExchangeService.objects.filter(resource=resource, is_active=True).first()
    client = Subsystem.objects.filter(department_id=department_id).order_by("id").first()
    if authorisation is None or service is None or client is None:
        return None
    result = caller(
        client=client.identity,
        service=service.identity,
        authorisation=authorisation.number,
        purpose=_purpose(material, case),
        user_id=subject[1],
        subject=subject[0],
        items=list(authorisation.items),
    )
    if not result.ok or not result.data:
        logger.info("shared data for %s not reused: %s", code, result.code)
        return None
    assert resource.current_version is not None
    digest = hashlib.sha256(rfc8785.dumps(result.data)).hexdigest()
    label = f"{resource.current_version.name}（{resource.provider.name}，数据共享）"
    return SharedData(
        reference=f"exchange:{result.message_id}", digest=digest, label=label, data=result.data
    )
