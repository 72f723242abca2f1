"""An exchange node as its own process: `python -m yiwang.exchange.node --config node.toml`.

A small WSGI server (the standard library's wsgiref; `wsgi_from_env()` lets gunicorn serve the
same application) with three endpoints:

    POST /exchange/v1/message   signed requests from other nodes (the provider end)
    POST /exchange/v1/call      calls from this member's own systems, with the local token
                                (the consumer end: the node signs and forwards)
    GET  /exchange/v1/health    identity and public key

The configuration (TOML or JSON) names the node's registered identity, where to listen, the
private key file (PKCS#8 PEM, from `python -m yiwang.exchange.node keygen`), the local token,
and optionally the database and the Django settings module. The node reads the registry and
authorisations from, and writes its message log to, that database.

    node = "CN-JX/GOV/113601000000100170/nc-data-01"
    listen = "127.0.0.1:8701"
    private_key_file = "nc-data-01.pem"
    local_token_file = "nc-data-01.token"
    database_url = "postgres://yiwang@db/yiwang"    # optional: else DATABASE_URL
    settings = "yiwang.settings.production"          # optional: else DJANGO_SETTINGS_MODULE
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import signal
import socket
import sys
import threading
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

logger = logging.getLogger("yiwang.exchange.node")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class NodeConfig:
    """A node's configuration file, read and checked."""

    node: str
    host: str
    port: int
    private_key_file: Path
    local_token: str
    database_url: str | None = None
    settings: str | None = None
    heartbeat_seconds: float = 30.0

    @classmethod
    def load(cls, path: str | Path) -> NodeConfig:
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        raw: dict[str, Any] = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        base = path.parent

        def relative(value: str) -> Path:
            candidate = Path(value)
            return candidate if candidate.is_absolute() else base / candidate

        listen = str(raw.get("listen", "127.0.0.1:8701"))
        host, _, port = listen.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"listen must be host:port, not {listen!r}")
        token = str(raw.get("local_token", ""))
        if raw.get("local_token_file"):
            token = relative(str(raw["local_token_file"])).read_text(encoding="utf-8").strip()
        if "node" not in raw or "private_key_file" not in raw:
            raise ValueError("a node configuration needs `node` and `private_key_file`")
        return cls(
            node=str(raw["node"]),
            host=host,
            port=int(port),
            private_key_file=relative(str(raw["private_key_file"])),
            local_token=token,
            database_url=raw.get("database_url"),
            settings=raw.get("settings"),
            heartbeat_seconds=float(raw.get("heartbeat_seconds", 30)),
        )


def setup_django(config: NodeConfig) -> None:
    """Configure Django for this process (its database and settings) and start it."""
    if config.database_url:
        os.environ["DATABASE_URL"] = config.database_url
    if config.settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = config.settings
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings.dev")
    import django

    django.setup()


def build_runtime(config: NodeConfig) -> Any:
    """The node's runtime: its registry entry and its key (which must match the registry)."""
    from yiwang.exchange.models import Node
    from yiwang.exchange.protocol import load_private_key
    from yiwang.exchange.runtime import NodeRuntime

    node = Node.objects.filter(identity=config.node).first()
    if node is None:
        raise SystemExit(f"node {config.node} is not in the registry; register it first")
    return NodeRuntime(node, load_private_key(config.private_key_file))


def _json(start: StartResponse, status: int, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
              404: "Not Found", 405: "Method Not Allowed", 413: "Payload Too Large",
              500: "Internal Server Error", 502: "Bad Gateway"}.get(status, "Status")  # fmt: skip
    start(
        f"{status} {reason}",
        [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [data]


def _read_body(environ: dict[str, Any]) -> bytes | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length < 0 or length > MAX_BODY:
        return None
    return bytes(environ["wsgi.input"].read(length)) if length else b""


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            found[key[5:].replace("_", "-")] = str(value)
    return found


def make_app(runtime: Any, *, local_token: str) -> WSGIApp:
    """The node's WSGI application around a NodeRuntime."""
    from django.db import close_old_connections

    from yiwang.core.errors import DomainError
    from yiwang.exchange import protocol

    def call(environ: dict[str, Any], start: StartResponse) -> list[bytes]:
        offered = str(environ.get("HTTP_AUTHORIZATION", ""))
        if not local_token:
            return _json(start, 403, {"code": "call_disabled", "message": "local calls are off"})
        if not hmac.compare_digest(offered.encode(), f"Bearer {local_token}".encode()):
            return _json(start, 401, {"code": "not_authenticated", "message": "bad local token"})
        body = _read_body(environ)
        try:
            payload = json.loads(body or b"")
            if not isinstance(payload, dict):
                raise ValueError
            result = runtime.call(
                client=str(payload["client"]),
                service=str(payload["service"]),
                authorisation=str(payload["authorisation"]),
                purpose=str(payload["purpose"]),
                user_id=str(payload["user_id"]),
                subject=payload.get("subject"),
                items=[str(code) for code in payload.get("items") or []],
                params=payload.get("params") or {},
            )
        except (ValueError, KeyError, TypeError):
            return _json(start, 400, {"code": "call_invalid", "message": "malformed call"})
        except DomainError as error:
            return _json(start, error.status, error.as_dict())
        return _json(start, 200, result.as_dict())

    def app(environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        close_old_connections()
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path == protocol.HEALTH_PATH and method == "GET":
                return _json(
                    start,
                    200,
                    {
                        "status": "ok",
                        "node": runtime.node.identity,
                        "public_key": runtime.public_key,
                    },
                )
            if path == protocol.MESSAGE_PATH and method == "POST":
                body = _read_body(environ)
                if body is None:
                    return _json(start, 413, {"code": "body_too_large", "message": "too large"})
                status, headers, answer = runtime.handle_message(_headers(environ), body)
                reason = "OK" if status == 200 else "Answer"
                start(
                    f"{status} {reason}",
                    [*headers.items(), ("Content-Length", str(len(answer)))],
                )
                return [answer]
            if path == protocol.CALL_PATH and method == "POST":
                return call(environ, start)
            if path in {protocol.MESSAGE_PATH, protocol.CALL_PATH, protocol.HEALTH_PATH}:
                return _json(start, 405, {"code": "method_not_allowed", "message": method})
            return _json(start, 404, {"code": "not_found", "message": path})
        except Exception:
            logger.exception("node request failed")
            return _json(start, 500, {"code": "node_error", "message": "internal error"})
        finally:
            close_old_connections()

    return app


class _QuietHandler(WSGIRequestHandler):
    def setup(self) -> None:
        super().setup()
        # Headers and body leave in separate writes; without TCP_NODELAY, Nagle's algorithm
        # meets the peer's delayed ACK and every answer stalls for ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        logger.debug(format, *args)


def _heartbeat(runtime: Any, every: float, stop: threading.Event) -> None:
    from django.db import connection

    from yiwang.exchange.actions.nodes import record_heartbeat

    while not stop.is_set():
        try:
            record_heartbeat(node=runtime.node)
        except Exception:
            logger.exception("heartbeat failed")
        finally:
            connection.close()
        stop.wait(every)


def serve(config: NodeConfig) -> None:
    """Set Django up from the configuration and run the node until SIGTERM or SIGINT."""
    setup_django(config)
    serve_runtime(build_runtime(config), config)


def serve_runtime(runtime: Any, config: NodeConfig) -> None:
    """Serve a runtime on the configured address until SIGTERM or SIGINT."""
    app = make_app(runtime, local_token=config.local_token)
    server: WSGIServer = make_server(config.host, config.port, app, handler_class=_QuietHandler)
    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat, args=(runtime, config.heartbeat_seconds, stop), daemon=True
    )
    beat.start()

    def shutdown(signum: int, frame: Any) -> None:
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    print(f"node {runtime.node.identity} listening on {config.host}:{config.port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


def wsgi_from_env() -> WSGIApp:
    """For gunicorn: `gunicorn 'yiwang.exchange.node:wsgi_from_env()'` with
    YIWANG_EXCHANGE_NODE_CONFIG naming the configuration file."""
    config = NodeConfig.load(os.environ["YIWANG_EXCHANGE_NODE_CONFIG"])
    setup_django(config)
    return make_app(build_runtime(config), local_token=config.local_token)


def keygen(out: Path) -> str:
    """Write a new Ed25519 private key (mode 0600); return its registry-form public key."""
    from yiwang.exchange.protocol import generate_key, private_key_pem, public_key_text

    key = generate_key()
    out.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_key_pem(key))
    return public_key_text(key)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m yiwang.exchange.node")
    parser.add_argument("--config", help="node configuration file (TOML or JSON)")
    sub = parser.add_subparsers(dest="command")
    make_key = sub.add_parser("keygen", help="write a new private key and print its public key")
    make_key.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.command == "keygen":
        print(keygen(args.out))
        return 0
    if not args.config:
        parser.error("--config is required to run a node")
    serve(NodeConfig.load(args.config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
