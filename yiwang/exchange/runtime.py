"""What a node does with a message, at either end of a call (the security server's logic).

Consumer end (`NodeRuntime.call`): sign the request for a client subsystem hosted here, send
it to the provider's node, check the signed response names our request by its hash, log.
Provider end (`NodeRuntime.handle_message`): check the request's signature, time, service,
authorisation (consumer, resource, items, period), replay and rate; run the provider
function; sign a response carrying the request's hash; log. Refusals are signed and logged
too. Both ends anchor each entry's digest in the ledger.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from yiwang.core.errors import DomainError
from yiwang.exchange import clock, conf, protocol, subjects
from yiwang.exchange.actions.nodes import log_message
from yiwang.exchange.choices import (
    AuthorisationStatus,
    MessageOutcome,
    MessageSide,
    NodeStatus,
)
from yiwang.exchange.models import (
    Authorisation,
    ExchangeService,
    Node,
    RateCounter,
    Subsystem,
)
from yiwang.exchange.providers import HANDLERS, ServiceCall

logger = logging.getLogger(__name__)

OK = "ok"
NOT_FOUND = "record_not_found"
SERVED_CODES = frozenset({OK, NOT_FOUND})
MAX_BODY = 1024 * 1024

# (url, headers, body, timeout) -> (status, headers, body)
Transport = Callable[[str, Mapping[str, str], bytes, float], tuple[int, dict[str, str], bytes]]

_connections = threading.local()


def http_transport(
    url: str, headers: Mapping[str, str], body: bytes, timeout: float
) -> tuple[int, dict[str, str], bytes]:
    """POST over HTTP/1.1, reusing this thread's connection to the host when it can."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    key = (parts.scheme, host, port)
    cache: dict[tuple[str, str, int], http.client.HTTPConnection] = (
        getattr(_connections, "cache", None) or {}
    )
    _connections.cache = cache
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    for attempt in (1, 2):
        connection = cache.get(key)
        reused = connection is not None
        if connection is None:
            factory = (
                http.client.HTTPSConnection
                if parts.scheme == "https"
                else http.client.HTTPConnection
            )
            connection = factory(host, port, timeout=timeout)
            connection.connect()
            # http.client sends headers and body in two writes; without TCP_NODELAY the body
            # waits for the peer's delayed ACK (~40 ms a call).
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            cache[key] = connection
        try:
            connection.request("POST", path, body=body, headers=dict(headers))
            answer = connection.getresponse()
            data = answer.read(MAX_BODY + 1)
            answer_headers = dict(answer.getheaders())
            if answer.will_close:
                connection.close()
                cache.pop(key, None)
            return answer.status, answer_headers, data
        except (http.client.HTTPException, OSError):
            connection.close()
            cache.pop(key, None)
            # A kept-alive connection the server closed meanwhile: try once more afresh.
            if not reused or attempt == 2:
                raise
    raise OSError("unreachable")  # pragma: no cover - the loop returns or raises


@dataclass
class CallResult:
    """What the consumer got back, after checking the provider's signature."""

    message_id: str
    status: int
    code: str
    data: dict[str, Any] | None = None
    message: str = ""
    request_hash: str = ""
    response_hash: str = ""
    response_signature: str = ""
    verified: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.verified and self.code == OK

    def as_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "status": self.status,
            "code": self.code,
            "data": self.data,
            "message": self.message,
            "request_hash": self.request_hash,
            "response_hash": self.response_hash,
            "response_signature": self.response_signature,
            "verified": self.verified,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CallResult:
        return cls(
            message_id=str(data.get("message_id", "")),
            status=int(data.get("status", 0)),
            code=str(data.get("code", "")),
            data=data.get("data"),
            message=str(data.get("message", "")),
            request_hash=str(data.get("request_hash", "")),
            response_hash=str(data.get("response_hash", "")),
            response_signature=str(data.get("response_signature", "")),
            verified=bool(data.get("verified", False)),
        )


class LocalCallError(DomainError):
    """A call refused before anything was sent (unknown client or service, bad input)."""


@dataclass
class _Refusal(Exception):
    status: int
    code: str
    message: str


class NodeRuntime:
    """One node's signing key and registry entry, and the two halves of the protocol."""

    def __init__(
        self,
        node: Node,
        key: Ed25519PrivateKey,
        *,
        transport: Transport = http_transport,
        timeout: float = 10.0,
    ) -> None:
        if protocol.public_key_text(key) != node.public_key:
            raise ImproperlyConfigured(
                f"the private key does not match the public key registered for {node.identity}"
            )
        self.node = node
        self.key = key
        self.public_key = node.public_key
        self.transport = transport
        self.timeout = timeout
        self._registry: dict[tuple[str, str], tuple[float, Any]] = {}

    # --- the registry, cached briefly ------------------------------------------------------

    def _cached(self, kind: str, identity: str, load: Callable[[], Any]) -> Any:
        """Registry rows change rarely (a new key, a suspension); reading them on every call
        is most of a call's cost, so a node keeps them for a few seconds (as X-Road nodes keep
        their global configuration). Authorisations, replays and rates are never cached."""
        ttl = conf.registry_ttl_seconds()
        cache = getattr(self, "_registry", None)
        if cache is None or ttl <= 0:
            return load()
        now = time.monotonic()
        hit = cache.get((kind, identity))
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        if len(cache) > 10_000:
            cache.clear()
        cache[(kind, identity)] = (now + ttl, value)
        return value

    def _subsystem(self, identity: str) -> Subsystem | None:
        found: Subsystem | None = self._cached(
            "subsystem",
            identity,
            lambda: (
                Subsystem.objects.select_related("node", "department")
                .filter(identity=identity)
                .first()
            ),
        )
        return found

    def _service(self, identity: str) -> ExchangeService | None:
        found: ExchangeService | None = self._cached(
            "service",
            identity,
            lambda: (
                ExchangeService.objects.select_related(
                    "resource", "subsystem__node", "subsystem__department"
                )
                .filter(identity=identity, is_active=True)
                .first()
            ),
        )
        return found

    # --- consumer end ---------------------------------------------------------------------

    def call(
        self,
        *,
        client: str,
        service: str,
        authorisation: str,
        purpose: str,
        user_id: str,
        subject: Mapping[str, Any] | None,
        items: Sequence[str],
        params: Mapping[str, Any] | None = None,
    ) -> CallResult:
        """Sign and send one request for a client subsystem hosted on this node."""
        client_sub = self._subsystem(client)
        if client_sub is None or client_sub.node_id != self.node.pk:
            raise LocalCallError("client_not_hosted", _("调用方子系统未登记在本节点。"), status=400)
        target = self._service(service)
        if target is None:
            raise LocalCallError("service_unknown", _("服务未登记或已停用。"), status=404)
        provider_node = target.subsystem.node
        if provider_node.status != NodeStatus.ACTIVE:
            raise LocalCallError("provider_node_suspended", _("提供方节点已停用。"), status=409)
        subject_hash = subjects.subject_hash(subject) if subject else ""
        body = protocol.canonical_body(
            {
                "subject": dict(subject) if subject else None,
                "items": list(items),
                "params": dict(params or {}),
            }  # fmt: skip
        )
        request = protocol.RequestHeaders(
            client=client,
            service=service,
            message_id=protocol.new_message_id(),
            user_id=user_id,
            authorisation=authorisation,
            purpose=purpose,
            timestamp=protocol.now_timestamp(clock.now()),
            request_hash=protocol.body_hash(body),
        )
        try:
            request.check_shape()
            for value in (user_id, purpose, authorisation):
                protocol._field(value, "field")
        except protocol.ProtocolError as error:
            raise LocalCallError(
                "call_invalid", _("调用参数不正确：%(detail)s"), params={"detail": error.code}
            ) from None
        signature = protocol.sign(self.key, request.canonical())
        headers = {**request.to_http(signature), "Content-Type": "application/json"}
        result, response_fields = self._send(provider_node, request, headers, body)
        content = protocol.EntryContent(
            node=self.node.identity,
            side=MessageSide.CONSUMER,
            message_id=request.message_id,
            client=client,
            service=service,
            user_id=user_id,
            authorisation=authorisation,
            purpose=purpose,
            request_timestamp=request.timestamp,
            request_hash=request.request_hash,
            request_signature=signature,
            request_key=self.public_key,
            subject_hash=subject_hash,
            items=tuple(items),
            response_key=provider_node.public_key,
            **response_fields,
        )
        if result.verified and result.code in SERVED_CODES:
            outcome = MessageOutcome.OK
        elif result.verified and 400 <= result.status < 500:
            outcome = MessageOutcome.REFUSED
        else:
            outcome = MessageOutcome.ERROR
        with transaction.atomic():
            log_message(
                node=self.node,
                content=content,
                outcome=outcome,
                consumer_department_id=client_sub.department_id,
                provider_department_id=target.subsystem.department_id,
                authorisation=Authorisation.objects.filter(number=authorisation).only("pk").first(),
                resource_id=target.resource_id,
            )
        return result

    def _send(
        self,
        provider_node: Node,
        request: protocol.RequestHeaders,
        headers: Mapping[str, str],
        body: bytes,
    ) -> tuple[CallResult, dict[str, Any]]:
        empty: dict[str, Any] = {
            "response_status": None,
            "response_code": "",
            "response_timestamp": "",
            "response_hash": "",
            "response_signature": "",
        }
        base = CallResult(
            message_id=request.message_id, status=0, code="", request_hash=request.request_hash
        )
        url = provider_node.endpoint_url + protocol.MESSAGE_PATH
        try:
            status, answer_headers, answer_body = self.transport(url, headers, body, self.timeout)
        except OSError as error:
            logger.warning("provider node %s unreachable: %s", provider_node.identity, error)
            base.code, base.status = "provider_unreachable", 502
            base.message = _("提供方节点无法连接。")
            return base, {**empty, "response_code": base.code}
        try:
            response, signature = protocol.ResponseHeaders.from_http(answer_headers)
        except protocol.ProtocolError as error:
            base.code, base.status = "response_invalid", 502
            base.message = _("提供方节点的应答不符合协议：%(detail)s") % {"detail": error.code}
            return base, {**empty, "response_status": status, "response_code": base.code}
        fields = {
            "response_status": response.status,
            "response_code": response.code,
            "response_timestamp": response.timestamp,
            "response_hash": response.response_hash,
            "response_signature": signature,
        }
        base.status, base.code = response.status, response.code
        base.response_hash, base.response_signature = response.response_hash, signature
        checks = (
            response.message_id == request.message_id
            and response.client == request.client
            and response.service == request.service
            and response.request_hash == request.request_hash
            and response.status == status
            and response.response_hash == protocol.body_hash(answer_body)
            and protocol.verify(provider_node.public_key, response.canonical(), signature)
        )
        if not checks:
            base.code = "response_signature_invalid"
            base.message = _("提供方节点的应答签名无效或与请求不符。")
            return base, fields
        base.verified = True
        try:
            decoded = json.loads(answer_body)
        except ValueError:
            decoded = {}
        if isinstance(decoded, dict):
            data = decoded.get("data")
            base.data = data if isinstance(data, dict) else None
            base.message = str(decoded.get("message", ""))
        return base, fields

    # --- provider end ---------------------------------------------------------------------

    def handle_message(
        self, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one incoming request; every outcome is signed and logged."""
        try:
            request, signature = protocol.RequestHeaders.from_http(headers)
        except protocol.ProtocolError as error:
            request, signature = self._salvage(headers)
            return self._answer(
                request, signature, _Refusal(400, error.code, _("请求头不符合协议。")), body=body
            )
        try:
            with transaction.atomic():
                return self._serve(request, signature, body)
        except IntegrityError:
            # Two copies of one message raced; the first was served, this one is a replay.
            refusal = _Refusal(409, "message_replayed", _("该消息编号已处理过（重放）。"))
            return self._answer(request, signature, refusal, body=body)

    def _salvage(self, headers: Mapping[str, str]) -> tuple[protocol.RequestHeaders, str]:
        """What can be read of a malformed request, so its refusal can still be logged."""
        lowered = {key.lower(): value for key, value in headers.items()}

        def get(name: str) -> str:
            value = lowered.get(name.lower(), "")
            return value if protocol._PRINTABLE.match(value) else ""

        message_id = get(protocol.MESSAGE_ID)
        try:
            protocol.check_message_id(message_id)
        except protocol.ProtocolError:
            message_id = protocol.new_message_id()
        request = protocol.RequestHeaders(
            client=get(protocol.CLIENT)[:300],
            service=get(protocol.SERVICE)[:300],
            message_id=message_id,
            user_id=get(protocol.USER_ID)[:300],
            authorisation=get(protocol.AUTHORISATION)[:300],
            purpose=get(protocol.PURPOSE)[:300],
            timestamp=get(protocol.TIMESTAMP)[:40],
            request_hash=get(protocol.REQUEST_HASH)[:64],
        )
        return request, get(protocol.SIGNATURE)[:300]

    def _serve(
        self, request: protocol.RequestHeaders, signature: str, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        context: dict[str, Any] = {"body": body}
        try:
            result = self._check_and_run(request, signature, body, context)
        except _Refusal as refusal:
            return self._answer(request, signature, refusal, **context)
        return self._answer(request, signature, None, data=result, **context)

    def _check_and_run(
        self,
        request: protocol.RequestHeaders,
        signature: str,
        body: bytes,
        context: dict[str, Any],
    ) -> dict[str, Any] | None:
        if protocol.body_hash(body) != request.request_hash:
            raise _Refusal(400, "request_hash_mismatch", _("请求体与其摘要不符。"))
        client = self._subsystem(request.client)
        if client is None:
            raise _Refusal(403, "client_unknown", _("调用方子系统未登记。"))
        context["client"] = client
        if client.node.status != NodeStatus.ACTIVE:
            raise _Refusal(403, "client_node_suspended", _("调用方节点已停用。"))
        if not protocol.verify(client.node.public_key, request.canonical(), signature):
            raise _Refusal(403, "signature_invalid", _("请求签名无效。"))
        sent = protocol.parse_timestamp(request.timestamp)
        if abs((clock.now() - sent).total_seconds()) > conf.clock_skew_seconds():
            raise _Refusal(403, "timestamp_out_of_window", _("请求时间与本节点时间相差过大。"))
        service = self._service(request.service)
        if service is None or service.subsystem.node_id != self.node.pk:
            raise _Refusal(404, "service_unknown", _("本节点不提供该服务。"))
        context["service"] = service
        try:
            payload = json.loads(body)
        except ValueError:
            raise _Refusal(400, "body_invalid", _("请求体不是合法的 JSON。")) from None
        items = payload.get("items") if isinstance(payload, dict) else None
        subject = payload.get("subject") if isinstance(payload, dict) else None
        params = payload.get("params") if isinstance(payload, dict) else None
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(code, str) for code in items)
            or not (subject is None or isinstance(subject, dict))
            or not (params is None or isinstance(params, dict))
        ):
            raise _Refusal(400, "body_invalid", _("请求体须包含信息项列表。"))
        context["items"] = tuple(items)
        try:
            context["subject_hash"] = subjects.subject_hash(subject) if subject else ""
        except DomainError:
            raise _Refusal(400, "subject_invalid", _("数据主体证件号码不正确。")) from None
        if self._already_served(request.message_id):
            raise _Refusal(409, "message_replayed", _("该消息编号已处理过（重放）。"))
        authorisation = self._authorisation(request, client, service, items)
        context["authorisation"] = authorisation
        self._count_call(authorisation)
        handler = HANDLERS.get(service.handler)
        if handler is None:
            raise _Refusal(500, "provider_error", _("提供方处理程序不可用。"))
        call = ServiceCall(service, context["subject_hash"], tuple(items), dict(params or {}))
        try:
            with transaction.atomic():
                return handler(call)
        except Exception:
            logger.exception("provider function %s failed", service.handler)
            raise _Refusal(500, "provider_error", _("提供方处理出错。")) from None

    def _already_served(self, message_id: str) -> bool:
        return self.node.messages.filter(
            side=MessageSide.PROVIDER, message_id=message_id, outcome=MessageOutcome.OK
        ).exists()

    def _authorisation(
        self,
        request: protocol.RequestHeaders,
        client: Subsystem,
        service: ExchangeService,
        items: list[str],
    ) -> Authorisation:
        authorisation = Authorisation.objects.filter(number=request.authorisation).first()
        if (
            authorisation is None
            or authorisation.consumer_department_id != client.department_id
            or authorisation.resource_id != service.resource_id
        ):
            raise _Refusal(403, "authorisation_invalid", _("没有该调用方对该资源的有效授权。"))
        if authorisation.status != AuthorisationStatus.ACTIVE:
            raise _Refusal(403, "authorisation_revoked", _("授权已撤销。"))
        if not authorisation.in_force_on(clock.today()):
            raise _Refusal(403, "authorisation_out_of_period", _("不在授权的使用期限内。"))
        extra = sorted(set(items) - set(authorisation.items))
        if extra:
            raise _Refusal(
                403,
                "items_not_authorised",
                _("未授权的信息项：%(items)s") % {"items": "、".join(extra)},
            )
        return authorisation

    def _count_call(self, authorisation: Authorisation) -> None:
        minute = int(clock.now().timestamp()) // 60
        bumped = RateCounter.objects.filter(authorisation=authorisation, minute=minute).update(
            count=F("count") + 1
        )
        if not bumped:
            RateCounter.objects.filter(authorisation=authorisation, minute__lt=minute - 60).delete()
            try:
                with transaction.atomic():
                    RateCounter.objects.create(authorisation=authorisation, minute=minute, count=1)
            except IntegrityError:
                RateCounter.objects.filter(authorisation=authorisation, minute=minute).update(
                    count=F("count") + 1
                )
        count = RateCounter.objects.values_list("count", flat=True).get(
            authorisation=authorisation, minute=minute
        )
        if count > authorisation.rate_limit_per_minute:
            raise _Refusal(
                429,
                "rate_limited",
                _("超过授权的调用频率（每分钟 %(limit)s 次）。")
                % {"limit": authorisation.rate_limit_per_minute},
            )

    def _answer(
        self,
        request: protocol.RequestHeaders,
        signature: str,
        refusal: _Refusal | None,
        *,
        data: dict[str, Any] | None = None,
        body: bytes = b"",
        client: Subsystem | None = None,
        service: ExchangeService | None = None,
        items: tuple[str, ...] = (),
        subject_hash: str = "",
        authorisation: Authorisation | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        if refusal is not None:
            status, code = refusal.status, refusal.code
            answer: dict[str, Any] = {"code": code, "message": refusal.message}
            outcome = MessageOutcome.ERROR if status >= 500 else MessageOutcome.REFUSED
        elif data is None:
            status, code = 404, NOT_FOUND
            answer = {"code": code, "message": _("提供方没有该数据主体的记录。")}
            outcome = MessageOutcome.OK
        else:
            status, code = 200, OK
            answer = {"code": code, "data": data}
            outcome = MessageOutcome.OK
        answer["message_id"] = request.message_id
        response_body = protocol.canonical_body(answer)
        response = protocol.ResponseHeaders(
            client=request.client,
            service=request.service,
            message_id=request.message_id,
            request_hash=request.request_hash or protocol.body_hash(body),
            status=status,
            code=code,
            timestamp=protocol.now_timestamp(clock.now()),
            response_hash=protocol.body_hash(response_body),
        )
        response_signature = protocol.sign(self.key, response.canonical())
        content = protocol.EntryContent(
            node=self.node.identity,
            side=MessageSide.PROVIDER,
            message_id=request.message_id,
            client=request.client,
            service=request.service,
            user_id=request.user_id,
            authorisation=request.authorisation,
            purpose=request.purpose,
            request_timestamp=request.timestamp,
            request_hash=response.request_hash,
            request_signature=signature,
            request_key=client.node.public_key if client else "",
            response_status=status,
            response_code=code,
            response_timestamp=response.timestamp,
            response_hash=response.response_hash,
            response_signature=response_signature,
            response_key=self.public_key,
            subject_hash=subject_hash,
            items=items,
        )
        with transaction.atomic(savepoint=False):  # inside _serve's transaction, or alone
            log_message(
                node=self.node,
                content=content,
                outcome=outcome,
                consumer_department_id=client.department_id if client else None,
                provider_department_id=service.subsystem.department_id if service else None,
                authorisation=authorisation,
                resource_id=service.resource_id if service else None,
            )
        headers = {**response.to_http(response_signature), "Content-Type": "application/json"}
        return status, headers, response_body
