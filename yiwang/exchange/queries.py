"""Reads of the exchange, scoped to what the asking user may see.

- The published catalogue is visible to every staff member (一本账 exists so departments can
  find what others hold); drafts only to the provider's officers and the data administrator.
- Requests, authorisations, demands, disputes, alarms, quality issues and message logs: a
  staff member sees those of departments inside their jurisdiction (their own department
  only, when their post is department-only); the data administrator sees their jurisdiction.
- A citizen sees only the calls whose subject was themself; anonymous visitors only open data.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models
from django.db.models import Avg, Count, OuterRef, Q, Subquery

from yiwang.core.errors import NotFound
from yiwang.exchange.choices import DatasetStatus, MessageSide, VersionStatus
from yiwang.exchange.models import (
    Authorisation,
    DataDemand,
    DataDispute,
    DataElement,
    ExchangeAlarm,
    MessageLog,
    Node,
    OpenDataset,
    QualityIssue,
    QualityRun,
    Resource,
    ResourceVersion,
    SharingRequest,
)
from yiwang.exchange.subjects import legal_person_hash
from yiwang.identity.models import Person
from yiwang.regions.models import Department
from yiwang.regions.queries import scope_for_staff, staff_of

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_term(value: str, limit: int = 100) -> str:
    """A search or filter term from the outside, without control characters (PostgreSQL
    refuses NUL in a string literal; such input must not become a 500)."""
    return _CONTROL.sub("", value)[:limit].strip()


def _key(value: str) -> str:
    """An identifier from a URL or a form; anything odd cannot match a real row."""
    if len(value) > 60 or _CONTROL.search(value):
        raise NotFound()
    return value


def departments_in_scope(user: Any) -> models.QuerySet[Department]:
    """Departments whose exchange records the user may see."""
    return scope_for_staff(Department.objects.all(), user, department_path="pk")


def _scoped(queryset: models.QuerySet[Any], user: Any, *paths: str) -> models.QuerySet[Any]:
    if staff_of(user) is None:
        return queryset.none()
    scope = departments_in_scope(user).values("pk")
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{path}__in": scope})
    return queryset.filter(condition)


# --- Catalogue ---------------------------------------------------------------------------


def catalogue_for_user(user: Any, search: str = "") -> models.QuerySet[ResourceVersion]:
    """Current published versions (all staff), optionally filtered by words."""
    if staff_of(user) is None:
        return ResourceVersion.objects.none()
    versions = ResourceVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
        "resource__provider"
    )
    for word in clean_term(search).split()[:5]:
        versions = versions.filter(
            Q(name__icontains=word)
            | Q(summary__icontains=word)
            | Q(keywords__icontains=word)
            | Q(resource__code__startswith=word)
            | Q(resource__provider__name__icontains=word)
        )
    return versions.order_by("resource__code")


def get_resource_for_user(user: Any, code: str) -> Resource:
    """A resource: published ones to any staff, unpublished ones to those in scope."""
    if staff_of(user) is None:
        raise NotFound()
    resource = (
        Resource.objects.select_related("provider", "current_version")
        .filter(code=_key(code))
        .first()
    )
    if resource is None:
        raise NotFound()
    if resource.current_version_id is None and not may_see_drafts(user, resource):
        raise NotFound()
    return resource


def may_see_drafts(user: Any, resource: Resource) -> bool:
    return departments_in_scope(user).filter(pk=resource.provider_id).exists()


def versions_for_user(user: Any, resource: Resource) -> models.QuerySet[ResourceVersion]:
    versions = resource.versions.all()
    if not may_see_drafts(user, resource):
        versions = versions.exclude(status=VersionStatus.DRAFT)
    return versions.order_by("-version")


def drafts_for_user(user: Any) -> models.QuerySet[ResourceVersion]:
    """Drafts of resources whose providers are in the user's scope."""
    return _scoped(
        ResourceVersion.objects.filter(status=VersionStatus.DRAFT).select_related(
            "resource__provider"
        ),
        user,
        "resource__provider",
    )


def elements_for_user(user: Any) -> models.QuerySet[DataElement]:
    if staff_of(user) is None:
        return DataElement.objects.none()
    return DataElement.objects.select_related("source_department")


_WORD = re.compile(r"[\w\u4e00-\u9fff]+")


def suggest_resources(demand: DataDemand, limit: int = 5) -> list[ResourceVersion]:
    """Published resources whose name, summary, keywords or items mention the demand's words."""
    text = f"{demand.keywords} {demand.title}"
    words = [w for w in dict.fromkeys(_WORD.findall(text.replace("、", " "))) if len(w) >= 2][:8]
    if not words:
        return []
    scored: dict[int, tuple[int, ResourceVersion]] = {}
    versions = ResourceVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
        "resource__provider"
    )
    for word in words:
        matches = versions.filter(
            Q(name__icontains=word)
            | Q(summary__icontains=word)
            | Q(keywords__icontains=word)
            | Q(items__name__icontains=word)
        ).distinct()
        for version in matches[:50]:
            score, _ = scored.get(version.pk, (0, version))
            scored[version.pk] = (score + 1, version)
    ranked = sorted(scored.values(), key=lambda pair: (-pair[0], pair[1].resource.code))
    return [version for _, version in ranked[:limit]]


# --- Sharing -----------------------------------------------------------------------------


def requests_for_user(user: Any) -> models.QuerySet[SharingRequest]:
    """Requests made or received by departments in scope."""
    return _scoped(
        SharingRequest.objects.select_related(
            "requester_department", "provider_department", "resource", "version", "authorisation"
        ),
        user,
        "requester_department",
        "provider_department",
    )


def get_request_for_user(user: Any, number: str) -> SharingRequest:
    request = requests_for_user(user).filter(number=_key(number)).first()
    if request is None:
        raise NotFound()
    return request


def authorisations_for_user(user: Any) -> models.QuerySet[Authorisation]:
    return _scoped(
        Authorisation.objects.select_related(
            "consumer_department", "provider_department", "resource"
        ),
        user,
        "consumer_department",
        "provider_department",
    )


def demands_for_user(user: Any) -> models.QuerySet[DataDemand]:
    return _scoped(
        DataDemand.objects.select_related(
            "requester_department", "assigned_department", "fulfilled_resource"
        ),
        user,
        "requester_department",
        "assigned_department",
    )


def get_demand_for_user(user: Any, number: str) -> DataDemand:
    demand = demands_for_user(user).filter(number=_key(number)).first()
    if demand is None:
        raise NotFound()
    return demand


def disputes_for_user(user: Any) -> models.QuerySet[DataDispute]:
    return _scoped(
        DataDispute.objects.select_related("resource", "raised_by_department", "source_department"),
        user,
        "raised_by_department",
        "source_department",
    )


def get_dispute_for_user(user: Any, number: str) -> DataDispute:
    dispute = disputes_for_user(user).filter(number=_key(number)).first()
    if dispute is None:
        raise NotFound()
    return dispute


def alarms_for_user(user: Any) -> models.QuerySet[ExchangeAlarm]:
    return _scoped(ExchangeAlarm.objects.select_related("department"), user, "department")


# --- Nodes and messages ------------------------------------------------------------------


def nodes_for_user(user: Any) -> models.QuerySet[Node]:
    return _scoped(Node.objects.select_related("department"), user, "department")


def get_node_for_user(user: Any, pk: int) -> Node:
    node = nodes_for_user(user).filter(pk=pk).first()
    if node is None:
        raise NotFound()
    return node


def messages_for_user(user: Any) -> models.QuerySet[MessageLog]:
    """Log entries of calls made or answered by departments in scope."""
    return _scoped(
        MessageLog.objects.select_related(
            "node", "consumer_department", "provider_department", "resource"
        ),
        user,
        "consumer_department",
        "provider_department",
    )


def get_message_for_user(user: Any, pk: int) -> MessageLog:
    entry = messages_for_user(user).filter(pk=pk).first()
    if entry is None:
        raise NotFound()
    return entry


def data_uses_for_user(user: Any) -> models.QuerySet[MessageLog]:
    """ "Who used my data": every call answered by a provider about the citizen (or the
    enterprises they operate for), newest first. Nobody else's."""
    if not getattr(user, "is_authenticated", False) or staff_of(user) is not None:
        return MessageLog.objects.none()
    keys: list[str] = []
    person = Person.objects.filter(user=user).first()
    if person is not None:
        keys.append(person.document_hash)
    from yiwang.identity.queries import legal_persons_for_user

    keys.extend(legal_person_hash(company) for company in legal_persons_for_user(user))
    if not keys:
        return MessageLog.objects.none()
    return MessageLog.objects.filter(
        side=MessageSide.PROVIDER, subject_hash__in=keys
    ).select_related("consumer_department", "provider_department", "resource__current_version")


# --- Quality and open data -----------------------------------------------------------------


def quality_issues_for_user(user: Any) -> models.QuerySet[QualityIssue]:
    return _scoped(
        QualityIssue.objects.select_related("rule__resource", "record", "provider_department"),
        user,
        "provider_department",
    )


def provider_scores(user: Any) -> list[dict[str, Any]]:
    """Each provider's score: the mean of its resources' latest runs (departments in scope)."""
    latest = QualityRun.objects.filter(resource=OuterRef("resource")).order_by("-ran_at", "-id")
    runs = _scoped(QualityRun.objects.all(), user, "provider_department").filter(
        pk=Subquery(latest.values("pk")[:1])
    )
    rows = (
        runs.values("provider_department__id", "provider_department__name")
        .annotate(score=Avg("score"), resources=Count("resource", distinct=True))
        .order_by("provider_department__name")
    )
    return [
        {
            "department_id": row["provider_department__id"],
            "department": row["provider_department__name"],
            "score": round(float(row["score"]), 2),
            "resources": row["resources"],
        }
        for row in rows
    ]


def open_datasets() -> models.QuerySet[OpenDataset]:
    """What anyone may see and download."""
    return OpenDataset.objects.filter(status=DatasetStatus.PUBLISHED).select_related(
        "publisher", "resource__current_version"
    )


def get_open_dataset(slug: str) -> OpenDataset:
    dataset = open_datasets().filter(slug=_key(slug)).first()
    if dataset is None:
        raise NotFound()
    return dataset


def request_queue(user: Any) -> models.QuerySet[SharingRequest]:
    """Requests waiting on the user: compliance and coordination for the data administrator,
    provider review and negotiation for the provider, returned and refused for the requester."""
    from yiwang.exchange.choices import SharingStatus
    from yiwang.exchange.permissions import is_data_authority
    from yiwang.regions.choices import Role
    from yiwang.regions.permissions import has_role

    visible = requests_for_user(user)
    if staff_of(user) is None:
        return visible.none()
    condition = Q(pk__in=[])
    if is_data_authority(user):
        condition |= Q(status__in=[SharingStatus.COMPLIANCE_REVIEW, SharingStatus.COORDINATION])
    if has_role(user, Role.DATA_ADMIN, Role.DEPARTMENT_ADMIN):
        mine = departments_in_scope(user).values("pk")
        condition |= Q(
            provider_department__in=mine,
            status__in=[SharingStatus.PROVIDER_REVIEW, SharingStatus.NEGOTIATION],
        )
        condition |= Q(
            requester_department__in=mine,
            status__in=[SharingStatus.RETURNED, SharingStatus.REFUSED],
        )
    return visible.filter(condition).order_by("due_date", "number")
