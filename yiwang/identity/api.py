"""JSON API of identity: who am I, persons (scoped), citizen registration."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from yiwang.api.schemas import ErrorOut
from yiwang.core import idempotency
from yiwang.core.errors import DomainError
from yiwang.identity import actions, queries
from yiwang.identity.models import Person
from yiwang.regions.models import Region
from yiwang.regions.permissions import roles_of

router = Router(tags=["identity"])


class MeOut(Schema):
    username: str
    name: str
    kind: str
    real_name_level: int
    roles: list[str]


class PersonOut(Schema):
    id: int
    name: str
    document_type: str
    document_number_masked: str
    region_code: str

    @staticmethod
    def resolve_document_number_masked(obj: Person) -> str:
        return obj.document_masked

    @staticmethod
    def resolve_region_code(obj: Person) -> str:
        return obj.region.code


class CitizenIn(Schema):
    name: str
    document_type: str = "111"
    document_number: str
    phone: str
    password: str
    region_code: str


class CitizenOut(Schema):
    username: str
    name: str
    document_number_masked: str


@router.get("/me", response=MeOut, operation_id="whoami")
def me(request: HttpRequest) -> dict[str, Any]:
    """The calling account and its roles."""
    user: Any = request.user
    return {
        "username": user.username,
        "name": user.display_name,
        "kind": user.kind,
        "real_name_level": user.real_name_level,
        "roles": sorted(roles_of(user)),
    }


@router.get("/persons", response=list[PersonOut], operation_id="list_persons")
@paginate(LimitOffsetPagination)
def list_persons(request: HttpRequest) -> QuerySet[Person]:
    """Persons the caller may see (staff: their jurisdiction; a citizen: themself)."""
    return queries.persons_for_user(request.user)


@router.get(
    "/persons/{person_id}", response={200: PersonOut, 404: ErrorOut}, operation_id="get_person"
)
def get_person(request: HttpRequest, person_id: int) -> Any:
    """One person, if the caller may see them."""
    return queries.get_person_for_user(request.user, person_id)


@router.post(
    "/citizens",
    auth=None,
    response={201: CitizenOut, 400: ErrorOut, 409: ErrorOut},
    operation_id="register_citizen",
)
def register_citizen(request: HttpRequest, payload: CitizenIn) -> HttpResponse:
    """Open a citizen account (real-name level 1). Accepts an Idempotency-Key header."""

    def operation() -> tuple[int, dict[str, Any]]:
        region = Region.objects.filter(code=payload.region_code).first()
        if region is None:
            raise DomainError("region_unknown", _("未知的区划代码。"), field="region_code")
        user = actions.register_citizen(
            actor=request.user,
            name=payload.name,
            document_type=payload.document_type,
            document_number=payload.document_number,
            phone=payload.phone,
            password=payload.password,
            region=region,
        )
        person: Person = user.person
        return 201, {
            "username": user.username,
            "name": person.name,
            "document_number_masked": person.document_masked,
        }

    outcome = idempotency.run_once(
        actor=request.user,
        scope="identity.register_citizen",
        key=request.headers.get(idempotency.HEADER),
        payload=payload.dict(exclude={"password"}),
        operation=operation,
    )
    return outcome.json_response()
