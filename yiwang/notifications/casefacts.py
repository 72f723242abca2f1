"""What the around-a-case apps read from a 办件 (case) and its outbox events.

The cases app is built on another branch; these helpers read a case and an event through a
short list of attribute names, so payments, ratings and notifications plug in at merge
without a foreign key to a model they cannot see. The first present, non-empty attribute
wins; tests call them with plain objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yiwang.catalog.models import Task, TaskVersion
from yiwang.identity.models import User
from yiwang.regions.models import Department

PROJECT_NO = ("project_no", "case_no", "number")
APPLICANT = ("applicant_user", "applicant", "user", "submitted_by", "created_by")
VERSION = ("task_version", "version")
DEPARTMENT = ("department", "implementing_department", "org", "accepting_department")
STATUS = ("status", "state")
EVENT_KIND = ("kind", "event_type", "event", "name", "type")
EVENT_TARGET = ("to_status", "to_state", "to", "status", "state")


def first_attribute(obj: Any, names: tuple[str, ...]) -> Any:
    """The first of `names` that `obj` has with a non-empty value (mappings too)."""
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value not in (None, ""):
            return value
    return None


@dataclass(frozen=True)
class CaseFacts:
    """The few facts of a case the around-a-case apps need."""

    project_no: str
    applicant: User | None
    task_version: TaskVersion | None
    department: Department | None
    status: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def task(self) -> Task | None:
        return self.task_version.task if self.task_version is not None else None

    @property
    def task_name(self) -> str:
        return self.task_version.task_name if self.task_version is not None else ""


def facts_of(case: Any) -> CaseFacts:
    """Read a case (any object with the attributes above)."""
    project_no = str(first_attribute(case, PROJECT_NO) or "")
    applicant = first_attribute(case, APPLICANT)
    version = first_attribute(case, VERSION)
    department = first_attribute(case, DEPARTMENT)
    if not isinstance(version, TaskVersion):
        version = None
    if not isinstance(department, Department):
        department = version.task.department if version is not None else None
    return CaseFacts(
        project_no=project_no,
        applicant=applicant if isinstance(applicant, User) else None,
        task_version=version,
        department=department,
        status=str(first_attribute(case, STATUS) or ""),
    )


def event_stage(event: Any) -> str:
    """The stage an outbox event reports, upper-cased: 'ACCEPTED', 'COMPLETED', …

    Accepts kinds like 'accepted', 'case.accepted', 'ACCEPTED', or a generic kind with the
    target state in the payload ({'to': 'ACCEPTED'}).
    """
    payload = getattr(event, "payload", None)
    if isinstance(payload, dict):
        target = first_attribute(payload, EVENT_TARGET)
        if target:
            return str(target).rsplit(".", 1)[-1].upper()
    kind = str(first_attribute(event, EVENT_KIND) or "")
    return kind.rsplit(".", 1)[-1].upper()


def event_case(event: Any) -> Any:
    """The case an outbox event is about."""
    return getattr(event, "case", None)
