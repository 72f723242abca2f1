"""Test helpers shared by the around-a-case apps: a published item with fees that can be
booked, and a stand-in for a case of the cases app (which lives on another branch)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yiwang.catalog import actions as catalog_actions
from yiwang.catalog.models import CatalogItem, TaskVersion
from yiwang.catalog.tests.conftest import FOOD_LICENCE_CHILDREN, FOOD_LICENCE_FIELDS
from yiwang.core.actors import SYSTEM


def make_fee_task(
    city: Any,
    code_suffix: str = "0101",
    fees: tuple[tuple[str, int], ...] = (("许可证工本费", 1000), ("现场核查费", 2550)),
    department: Any = None,
    **overrides: Any,
) -> TaskVersion:
    """A published, bookable item of dept_a2 (county A) with fee projects (amounts in fen)."""
    item = CatalogItem.objects.filter(catalog_code="000201001000").first()
    if item is None:
        item = catalog_actions.create_catalog_item(
            actor=SYSTEM, catalog_code="000201001000", name="食品经营许可", task_type="01"
        )
    department = department or city.dept_a2
    version = catalog_actions.create_task(
        actor=SYSTEM,
        catalog_item=item,
        department=department,
        region=department.region,
        task_code=f"{department.uscc}4000201001{code_suffix}",
        fields={
            **FOOD_LICENCE_FIELDS,
            "is_fee": bool(fees),
            "is_pay_online": True,
            "is_schedule": True,
            **overrides,
        },
        children={
            **FOOD_LICENCE_CHILDREN,
            "fees": [
                {"fee_name": name, "fee_stand": "按件收取", "amount_fen": amount, "order_num": i}
                for i, (name, amount) in enumerate(fees)
            ],
        },
    )
    catalog_actions.submit_version(actor=SYSTEM, version=version)
    catalog_actions.approve_version(actor=SYSTEM, version=version)
    return catalog_actions.publish_version(actor=SYSTEM, version=version)


@dataclass
class FakeCase:
    """What the cases app's Case exposes to us (attribute names from notifications.casefacts)."""

    project_no: str
    applicant_user: Any
    task_version: Any
    department: Any = None
    status: str = "DECIDED"


@dataclass
class FakeEvent:
    """An OutboxEvent as the cases branch describes it: a case, a kind and a payload."""

    case: Any
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    pk: int = 1
