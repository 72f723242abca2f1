"""JSON API of the exchange (/api/v1/exchange/): catalogue, sharing requests, demands,
disputes, nodes, message log, "who used my data", quality, and open data (anonymous)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from yiwang.api.schemas import ErrorOut
from yiwang.core import idempotency
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.exchange import actions, opendata, queries
from yiwang.exchange.choices import DownloadFormat
from yiwang.exchange.models import (
    Authorisation,
    DataDemand,
    DataDispute,
    ExchangeAlarm,
    MessageLog,
    Node,
    OpenDataset,
    QualityIssue,
    ResourceVersion,
    SharingRequest,
)
from yiwang.regions.models import Department
from yiwang.regions.queries import staff_of

router = Router(tags=["exchange"])

WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _staff_department(request: HttpRequest) -> Department:
    staff = staff_of(request.user)
    if staff is None:
        raise PermissionDenied()
    return staff.department


# --- Catalogue ---------------------------------------------------------------------------


class ItemOut(Schema):
    code: str
    name: str
    data_type: str
    length: int | None
    is_key: bool
    sensitivity: str
    source_department: str
    source_system: str

    @staticmethod
    def resolve_source_department(obj: Any) -> str:
        return str(obj.source_department.uscc)


class ResourceOut(Schema):
    code: str
    version: int
    status: str
    name: str
    summary: str
    classification_code: str
    provider: str
    provider_name: str
    resource_format: str
    sharing_type: str
    sharing_condition: str
    sharing_methods: list[str]
    open_type: str
    update_cycle: str
    related_codes: list[str]
    published_at: dt.datetime | None
    items: list[ItemOut]

    @staticmethod
    def resolve_code(obj: ResourceVersion) -> str:
        return obj.resource.code

    @staticmethod
    def resolve_classification_code(obj: ResourceVersion) -> str:
        return obj.resource.classification_code

    @staticmethod
    def resolve_provider(obj: ResourceVersion) -> str:
        return obj.resource.provider.uscc

    @staticmethod
    def resolve_provider_name(obj: ResourceVersion) -> str:
        return obj.resource.provider.name

    @staticmethod
    def resolve_items(obj: ResourceVersion) -> list[Any]:
        return list(obj.items.all())


class ItemIn(Schema):
    code: str
    name: str
    data_type: str = "C"
    length: int | None = None
    is_key: bool = False
    sensitivity: str = "2"
    element: str | None = None


class ResourceIn(Schema):
    provider_id: int
    category: str
    subject_code: str
    section_code: str
    detail_code: str = ""
    name: str
    summary: str = ""
    resource_format: str = "table"
    provider_system: str = ""
    sharing_type: str = "2"
    sharing_condition: str = ""
    not_shared_basis: str = ""
    sharing_methods: list[str] = ["api"]
    open_type: str = "3"
    open_condition: str = ""
    update_cycle: str = "daily"
    related_codes: list[str] = []
    keywords: str = ""
    items: list[ItemIn]


@router.get("/resources", response=list[ResourceOut], operation_id="exchange_list_resources")
@paginate(LimitOffsetPagination)
def list_resources(request: HttpRequest, q: str = "") -> QuerySet[ResourceVersion]:
    """The published catalogue (staff); `q` searches names, summaries, keywords, codes."""
    return queries.catalogue_for_user(request.user, q).prefetch_related("items__source_department")


@router.get(
    "/resources/{code}",
    response={200: ResourceOut, 404: ErrorOut},
    operation_id="exchange_get_resource",
)
def get_resource(request: HttpRequest, code: str) -> Any:
    """A resource's current version (or its draft, for those who may see drafts)."""
    resource = queries.get_resource_for_user(request.user, code)
    version = resource.current_version or queries.versions_for_user(request.user, resource).first()
    if version is None:
        raise NotFound()
    return version


@router.post(
    "/resources",
    response={201: ResourceOut, **WRITE_ERRORS},
    operation_id="exchange_create_resource",
)
def create_resource(request: HttpRequest, payload: ResourceIn) -> Any:
    """Catalogue a resource: its code is generated; the first version is a draft."""
    provider = Department.objects.filter(pk=payload.provider_id).first()
    if provider is None:
        raise DomainError("department_unknown", _("部门不存在。"), field="provider_id")
    fields = payload.dict(
        exclude={"provider_id", "category", "subject_code", "section_code", "detail_code", "items"}
    )
    version = actions.create_resource(
        actor=request.user,
        provider=provider,
        category=payload.category,
        subject_code=payload.subject_code,
        section_code=payload.section_code,
        detail_code=payload.detail_code,
        fields=fields,
        items=[item.dict() for item in payload.items],
    )
    return 201, version


@router.post(
    "/resources/{code}/publish",
    response={200: ResourceOut, **WRITE_ERRORS},
    operation_id="exchange_publish_resource",
)
def publish_resource(request: HttpRequest, code: str) -> Any:
    """Publish the resource's draft (data administrator)."""
    resource = queries.get_resource_for_user(request.user, code)
    draft = queries.drafts_for_user(request.user).filter(resource=resource).first()
    if draft is None:
        raise NotFound()
    return actions.publish_resource_version(actor=request.user, version=draft)


# --- Sharing requests ------------------------------------------------------------------------


class RequestOut(Schema):
    number: str
    status: str
    resource: str
    requester: str
    provider: str
    items: list[str]
    purpose: str
    scenario: str
    period_start: dt.date
    period_end: dt.date
    rate_limit_per_minute: int
    due_date: dt.date | None
    refusal_reason: str
    authorisation: str | None

    @staticmethod
    def resolve_resource(obj: SharingRequest) -> str:
        return obj.resource.code

    @staticmethod
    def resolve_requester(obj: SharingRequest) -> str:
        return obj.requester_department.uscc

    @staticmethod
    def resolve_provider(obj: SharingRequest) -> str:
        return obj.provider_department.uscc

    @staticmethod
    def resolve_authorisation(obj: SharingRequest) -> str | None:
        try:
            return obj.authorisation.number
        except Authorisation.DoesNotExist:
            return None


class RequestIn(Schema):
    resource: str
    items: list[str]
    purpose: str
    scenario: str
    period_start: dt.date
    period_end: dt.date
    rate_limit_per_minute: int = 60
    legal_basis: str = ""
    demand: str | None = None


class DecisionIn(Schema):
    decision: str  # approve | return | authorise | refuse | object | escalate | close | withdraw
    note: str = ""


@router.get("/requests", response=list[RequestOut], operation_id="exchange_list_requests")
@paginate(LimitOffsetPagination)
def list_requests(request: HttpRequest, status: str = "") -> QuerySet[SharingRequest]:
    """Requests made or received by departments in the caller's scope."""
    found = queries.requests_for_user(request.user)
    return found.filter(status=queries.clean_term(status)) if status else found


@router.get(
    "/requests/{number}",
    response={200: RequestOut, 404: ErrorOut},
    operation_id="exchange_get_request",
)
def get_request(request: HttpRequest, number: str) -> Any:
    return queries.get_request_for_user(request.user, number)


@router.post(
    "/requests",
    response={201: RequestOut, **WRITE_ERRORS},
    operation_id="exchange_submit_request",
)
def submit_request(request: HttpRequest, payload: RequestIn) -> HttpResponse:
    """Ask for data items for the caller's department. Accepts an Idempotency-Key."""

    def operation() -> tuple[int, dict[str, Any]]:
        resource = queries.get_resource_for_user(request.user, payload.resource)
        demand = (
            queries.get_demand_for_user(request.user, payload.demand) if payload.demand else None
        )
        created = actions.submit_sharing_request(
            actor=request.user,
            department=_staff_department(request),
            resource=resource,
            items=payload.items,
            purpose=payload.purpose,
            scenario=payload.scenario,
            period_start=payload.period_start,
            period_end=payload.period_end,
            rate_limit_per_minute=payload.rate_limit_per_minute,
            legal_basis=payload.legal_basis,
            demand=demand,
        )
        return 201, RequestOut.from_orm(created).model_dump(mode="json")

    outcome = idempotency.run_once(
        actor=request.user,
        scope="exchange.submit_request",
        key=request.headers.get(idempotency.HEADER),
        payload=payload.dict(),
        operation=operation,
    )
    return outcome.json_response()


def decide(user: Any, sharing: SharingRequest, decision: str, note: str) -> SharingRequest:
    """One decision on a request, by name (shared by the API and the pages)."""
    steps: dict[str, Any] = {
        "approve": lambda: actions.review_compliance(
            actor=user, request=sharing, approve=True, note=note
        ),
        "return": lambda: actions.review_compliance(
            actor=user, request=sharing, approve=False, note=note
        ),
        "authorise": lambda: actions.review_as_provider(
            actor=user, request=sharing, authorise=True, reason=note
        ),
        "refuse": lambda: actions.review_as_provider(
            actor=user, request=sharing, authorise=False, reason=note
        ),
        "object": lambda: actions.object_to_refusal(actor=user, request=sharing, note=note),
        "escalate": lambda: actions.escalate_to_coordination(
            actor=user, request=sharing, note=note
        ),
        "coordinate_authorise": lambda: actions.coordinate(
            actor=user, request=sharing, authorise=True, note=note
        ),
        "coordinate_close": lambda: actions.coordinate(
            actor=user, request=sharing, authorise=False, note=note
        ),
        "withdraw": lambda: actions.withdraw_sharing_request(
            actor=user, request=sharing, reason=note
        ),
    }
    step = steps.get(decision)
    if step is None:
        raise DomainError("decision_unknown", _("未知的操作。"), field="decision")
    result: SharingRequest = step()
    return result


@router.post(
    "/requests/{number}/decisions",
    response={200: RequestOut, **WRITE_ERRORS},
    operation_id="exchange_decide_request",
)
def decide_request(request: HttpRequest, number: str, payload: DecisionIn) -> Any:
    """approve|return (data administrator), authorise|refuse (provider; refuse needs a
    reason), object|escalate|withdraw (requester), coordinate_authorise|coordinate_close."""
    sharing = queries.get_request_for_user(request.user, number)
    return decide(request.user, sharing, payload.decision, payload.note)


class AuthorisationOut(Schema):
    number: str
    status: str
    consumer: str
    provider: str
    resource: str
    items: list[str]
    purpose: str
    period_start: dt.date
    period_end: dt.date
    rate_limit_per_minute: int

    @staticmethod
    def resolve_consumer(obj: Authorisation) -> str:
        return obj.consumer_department.uscc

    @staticmethod
    def resolve_provider(obj: Authorisation) -> str:
        return obj.provider_department.uscc

    @staticmethod
    def resolve_resource(obj: Authorisation) -> str:
        return obj.resource.code


@router.get(
    "/authorisations", response=list[AuthorisationOut], operation_id="exchange_list_authorisations"
)
@paginate(LimitOffsetPagination)
def list_authorisations(request: HttpRequest) -> QuerySet[Authorisation]:
    return queries.authorisations_for_user(request.user)


# --- Demands, disputes, alarms -----------------------------------------------------------------


class DemandOut(Schema):
    number: str
    status: str
    title: str
    description: str
    keywords: str
    requester: str
    assigned_to: str | None
    due_date: dt.date | None
    matched: list[str]

    @staticmethod
    def resolve_requester(obj: DataDemand) -> str:
        return obj.requester_department.name

    @staticmethod
    def resolve_assigned_to(obj: DataDemand) -> str | None:
        return obj.assigned_department.name if obj.assigned_department else None

    @staticmethod
    def resolve_matched(obj: DataDemand) -> list[str]:
        return [r.code for r in obj.matched_resources.all()]


class DemandDetailOut(DemandOut):
    suggestions: list[str]

    @staticmethod
    def resolve_suggestions(obj: DataDemand) -> list[str]:
        return [v.resource.code for v in queries.suggest_resources(obj)]


class DemandIn(Schema):
    title: str
    description: str
    keywords: str = ""


@router.get("/demands", response=list[DemandOut], operation_id="exchange_list_demands")
@paginate(LimitOffsetPagination)
def list_demands(request: HttpRequest) -> QuerySet[DataDemand]:
    return queries.demands_for_user(request.user).prefetch_related("matched_resources")


@router.get(
    "/demands/{number}",
    response={200: DemandDetailOut, 404: ErrorOut},
    operation_id="exchange_get_demand",
)
def get_demand(request: HttpRequest, number: str) -> Any:
    """One need, with catalogue entries that match its words."""
    return queries.get_demand_for_user(request.user, number)


@router.post(
    "/demands", response={201: DemandOut, **WRITE_ERRORS}, operation_id="exchange_post_demand"
)
def post_demand(request: HttpRequest, payload: DemandIn) -> Any:
    """Post a need on the demand board for the caller's department."""
    demand = actions.post_demand(
        actor=request.user,
        department=_staff_department(request),
        title=payload.title,
        description=payload.description,
        keywords=payload.keywords,
    )
    return 201, demand


class DisputeOut(Schema):
    number: str
    status: str
    resource: str
    item_code: str
    description: str
    source_department: str
    due_date: dt.date
    outcome: str
    answer: str

    @staticmethod
    def resolve_resource(obj: DataDispute) -> str:
        return obj.resource.code

    @staticmethod
    def resolve_source_department(obj: DataDispute) -> str:
        return obj.source_department.name


class DisputeIn(Schema):
    resource: str
    item_code: str
    description: str
    record_reference: str = ""


class AnswerIn(Schema):
    outcome: str
    answer: str


@router.get("/disputes", response=list[DisputeOut], operation_id="exchange_list_disputes")
@paginate(LimitOffsetPagination)
def list_disputes(request: HttpRequest) -> QuerySet[DataDispute]:
    return queries.disputes_for_user(request.user)


@router.post(
    "/disputes", response={201: DisputeOut, **WRITE_ERRORS}, operation_id="exchange_raise_dispute"
)
def raise_dispute(request: HttpRequest, payload: DisputeIn) -> Any:
    """数据异议: sent to the data item's authoritative source, due in working days."""
    resource = queries.get_resource_for_user(request.user, payload.resource)
    dispute = actions.raise_dispute(
        actor=request.user,
        resource=resource,
        item_code=payload.item_code,
        description=payload.description,
        record_reference=payload.record_reference,
    )
    return 201, dispute


@router.post(
    "/disputes/{number}/answer",
    response={200: DisputeOut, **WRITE_ERRORS},
    operation_id="exchange_answer_dispute",
)
def answer_dispute(request: HttpRequest, number: str, payload: AnswerIn) -> Any:
    dispute = queries.get_dispute_for_user(request.user, number)
    return actions.answer_dispute(
        actor=request.user, dispute=dispute, outcome=payload.outcome, answer=payload.answer
    )


class AlarmOut(Schema):
    kind: str
    subject_label: str
    department: str
    due_date: dt.date
    raised_on: dt.date
    resolved: bool

    @staticmethod
    def resolve_department(obj: ExchangeAlarm) -> str:
        return obj.department.name

    @staticmethod
    def resolve_resolved(obj: ExchangeAlarm) -> bool:
        return obj.resolved_at is not None


@router.get("/alarms", response=list[AlarmOut], operation_id="exchange_list_alarms")
@paginate(LimitOffsetPagination)
def list_alarms(request: HttpRequest) -> QuerySet[ExchangeAlarm]:
    return queries.alarms_for_user(request.user)


# --- Nodes and the message log -------------------------------------------------------------


class NodeOut(Schema):
    identity: str
    name: str
    level: int
    department: str
    endpoint_url: str
    public_key: str
    network_zone: str
    status: str
    last_heartbeat_at: dt.datetime | None

    @staticmethod
    def resolve_department(obj: Node) -> str:
        return obj.department.name


class NodeIn(Schema):
    department_id: int
    server_code: str
    name: str
    level: int
    endpoint_url: str
    public_key: str
    network_zone: str = "政务外网"


@router.get("/nodes", response=list[NodeOut], operation_id="exchange_list_nodes")
@paginate(LimitOffsetPagination)
def list_nodes(request: HttpRequest) -> QuerySet[Node]:
    return queries.nodes_for_user(request.user)


@router.post(
    "/nodes", response={201: NodeOut, **WRITE_ERRORS}, operation_id="exchange_register_node"
)
def register_node(request: HttpRequest, payload: NodeIn) -> Any:
    """Register a node with its Ed25519 public key (data administrator)."""
    department = Department.objects.filter(pk=payload.department_id).first()
    if department is None:
        raise DomainError("department_unknown", _("部门不存在。"), field="department_id")
    node = actions.register_node(
        actor=request.user,
        department=department,
        server_code=payload.server_code,
        name=payload.name,
        level=payload.level,
        endpoint_url=payload.endpoint_url,
        public_key=payload.public_key,
        network_zone=payload.network_zone,
    )
    return 201, node


class MessageOut(Schema):
    id: int
    created_at: dt.datetime
    node: str
    side: str
    message_id: str
    client_id: str
    service_id: str
    user_id: str
    authorisation_ref: str
    purpose: str
    outcome: str
    response_code: str
    items: list[str]
    request_hash: str
    request_signature: str
    response_hash: str
    response_signature: str
    digest: str
    anchored: bool

    @staticmethod
    def resolve_node(obj: MessageLog) -> str:
        return obj.node.identity


@router.get("/messages", response=list[MessageOut], operation_id="exchange_list_messages")
@paginate(LimitOffsetPagination)
def list_messages(request: HttpRequest, message_id: str = "") -> QuerySet[MessageLog]:
    """Log entries of calls made or answered by departments in the caller's scope."""
    found = queries.messages_for_user(request.user)
    return found.filter(message_id=queries.clean_term(message_id, 36)) if message_id else found


class DataUseOut(Schema):
    time: dt.datetime
    consumer: str
    provider: str
    resource: str
    items: list[str]
    purpose: str
    outcome: str
    message_id: str

    @staticmethod
    def resolve_time(obj: MessageLog) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_consumer(obj: MessageLog) -> str:
        return obj.consumer_department.name if obj.consumer_department else obj.client_id

    @staticmethod
    def resolve_provider(obj: MessageLog) -> str:
        return obj.provider_department.name if obj.provider_department else ""

    @staticmethod
    def resolve_resource(obj: MessageLog) -> str:
        version = obj.resource.current_version if obj.resource else None
        return version.name if version else ""


@router.get("/my-data", response=list[DataUseOut], operation_id="exchange_my_data_uses")
@paginate(LimitOffsetPagination)
def my_data(request: HttpRequest) -> QuerySet[MessageLog]:
    """Who used my data: every call about the calling citizen, with consumer and purpose."""
    return queries.data_uses_for_user(request.user)


# --- Quality ---------------------------------------------------------------------------------


class ScoreOut(Schema):
    department_id: int
    department: str
    score: float
    resources: int


class IssueOut(Schema):
    id: int
    resource: str
    item_code: str
    dimension: str
    message: str
    status: str
    record: str

    @staticmethod
    def resolve_resource(obj: QualityIssue) -> str:
        return obj.rule.resource.code

    @staticmethod
    def resolve_record(obj: QualityIssue) -> str:
        return obj.record.subject_label or str(obj.record_id)


@router.get("/quality/scores", response=list[ScoreOut], operation_id="exchange_quality_scores")
def quality_scores(request: HttpRequest) -> list[dict[str, Any]]:
    """Each provider's quality score (mean of its resources' latest checks)."""
    return queries.provider_scores(request.user)


@router.get("/quality/issues", response=list[IssueOut], operation_id="exchange_quality_issues")
@paginate(LimitOffsetPagination)
def quality_issues(request: HttpRequest, status: str = "open") -> QuerySet[QualityIssue]:
    """Failing rows reported back to providers in the caller's scope."""
    return queries.quality_issues_for_user(request.user).filter(status=queries.clean_term(status))


# --- Open data (anonymous) -----------------------------------------------------------------


class DatasetOut(Schema):
    slug: str
    title: str
    description: str
    publisher: str
    licence: str
    keywords: list[str]
    columns: list[str]
    download_count: int
    published_at: dt.datetime

    @staticmethod
    def resolve_publisher(obj: OpenDataset) -> str:
        return obj.publisher.name


class RowsOut(Schema):
    count: int
    offset: int
    limit: int
    rows: list[dict[str, Any]]


@router.get(
    "/open/datasets", auth=None, response=list[DatasetOut], operation_id="exchange_open_datasets"
)
@paginate(LimitOffsetPagination)
def open_datasets(request: HttpRequest) -> QuerySet[OpenDataset]:
    """Open datasets (no log-in)."""
    return queries.open_datasets()


@router.get(
    "/open/datasets/{slug}",
    auth=None,
    response={200: DatasetOut, 404: ErrorOut},
    operation_id="exchange_open_dataset",
)
def open_dataset(request: HttpRequest, slug: str) -> Any:
    return queries.get_open_dataset(slug)


@router.get(
    "/open/datasets/{slug}/rows",
    auth=None,
    response={200: RowsOut, 404: ErrorOut},
    operation_id="exchange_open_dataset_rows",
)
def open_dataset_rows(request: HttpRequest, slug: str, offset: int = 0, limit: int = 100) -> Any:
    """The rows of an open dataset through the API (each call counted as a download)."""
    dataset = queries.get_open_dataset(slug)
    offset, limit = max(offset, 0), min(max(limit, 1), 1000)
    actions.count_download(dataset=dataset, fmt=DownloadFormat.API)
    return {
        "count": opendata.row_count(dataset),
        "offset": offset,
        "limit": limit,
        "rows": list(opendata.rows(dataset, offset=offset, limit=limit)),
    }
