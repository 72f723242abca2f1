"""The platform's side of the exchange: `call_service(...)` through the consumer node.

An information system (the platform, a department's system) does not sign anything itself:
it asks its own node, over the local network and with the node's local token, to make the
call. The node signs, sends, checks the provider's signed answer and logs; this function
returns what the node reports, including the provider's signature and the hashes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from yiwang.exchange import protocol
from yiwang.exchange.runtime import CallResult, Transport, http_transport


def call_service(
    *,
    node_url: str,
    token: str,
    client: str,
    service: str,
    authorisation: str,
    purpose: str,
    user_id: str,
    items: Sequence[str],
    subject: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    timeout: float = 10.0,
    transport: Transport = http_transport,
) -> CallResult:
    """Call `service` as `client` through the consumer node at `node_url`.

    Raises OSError when the consumer node cannot be reached; every other outcome (refused,
    provider unreachable, bad signature) comes back as a CallResult with its code.
    """
    body = json.dumps(
        {
            "client": client,
            "service": service,
            "authorisation": authorisation,
            "purpose": purpose,
            "user_id": user_id,
            "subject": dict(subject) if subject else None,
            "items": list(items),
            "params": dict(params or {}),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    status, _headers, answer = transport(
        node_url.rstrip("/") + protocol.CALL_PATH, headers, body, timeout
    )
    try:
        decoded = json.loads(answer)
    except ValueError:
        decoded = None
    if not isinstance(decoded, dict):
        return CallResult(message_id="", status=status, code="node_error")
    if "message_id" not in decoded:
        # The node refused the call itself (bad token, unknown client …): no message was sent.
        return CallResult(
            message_id="",
            status=status,
            code=str(decoded.get("code", "node_error")),
            message=str(decoded.get("message", "")),
        )
    return CallResult.from_dict(decoded)
