"""Two nodes started as separate processes exchange a record over loopback."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from yiwang.exchange import actions, protocol
from yiwang.exchange.choices import MessageOutcome, MessageSide
from yiwang.exchange.client import call_service
from yiwang.exchange.models import MessageLog, Node
from yiwang.exchange.tests.conftest import (
    authorise_population,
    build_mesh,
    load_population,
    number_of,
)

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """The URL of the test database this test runs on, for the node processes."""
    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST']}{port}/{settings['NAME']}"


def write_node_files(folder: Path, node: Node, key, port: int, token: str) -> Path:
    key_file = folder / f"{node.server_code}.pem"
    key_file.write_bytes(protocol.private_key_pem(key))
    config = folder / f"{node.server_code}.toml"
    config.write_text(
        f'node = "{node.identity}"\n'
        f'listen = "127.0.0.1:{port}"\n'
        f'private_key_file = "{key_file.name}"\n'
        f'local_token = "{token}"\n'
        f'database_url = "{database_url()}"\n'
        'settings = "yiwang.settings.test"\n',
        encoding="utf-8",
    )
    return config


@contextlib.contextmanager
def node_process(config: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "yiwang.exchange.node", "--config", str(config)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_healthy(port: int, process: subprocess.Popen[bytes]) -> dict:
    deadline = time.monotonic() + 40
    url = f"http://127.0.0.1:{port}{protocol.HEALTH_PATH}"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                health: dict = json.loads(answer.read())
                return health
        except OSError:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                raise AssertionError(f"node exited early:\n{output}") from None
            if time.monotonic() > deadline:
                raise AssertionError("node did not start") from None
            time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_two_node_processes_exchange_a_record(world, tmp_path) -> None:
    consumer_port, provider_port = free_port(), free_port()
    mesh = build_mesh(world, endpoint=f"http://127.0.0.1:{provider_port}")
    actions.update_node(
        actor=world.data_admin,
        node=mesh.consumer_node,
        endpoint_url=f"http://127.0.0.1:{consumer_port}",
    )
    load_population(world, world.citizen)
    grant = authorise_population(world)
    token = secrets.token_urlsafe(24)
    consumer_config = write_node_files(
        tmp_path, mesh.consumer_node, mesh.consumer_key, consumer_port, token
    )
    provider_config = write_node_files(
        tmp_path, mesh.provider_node, mesh.provider_key, provider_port, secrets.token_urlsafe(24)
    )
    with (
        node_process(consumer_config, consumer_port) as consumer,
        node_process(provider_config, provider_port) as provider,
    ):
        assert wait_healthy(consumer_port, consumer)["node"] == mesh.consumer_node.identity
        health = wait_healthy(provider_port, provider)
        assert health["public_key"] == mesh.provider_node.public_key
        assert consumer.pid != provider.pid != os.getpid()
        common = {
            "node_url": f"http://127.0.0.1:{consumer_port}",
            "client": mesh.client.identity,
            "service": mesh.service.identity,
            "purpose": "办件 NC2026000777 材料「身份证明」免提交",
            "user_id": "yiwang:market.data",
            "subject": {"type": "111", "number": number_of(world.citizen)},
            "items": ["xm", "csrq"],
        }
        result = call_service(token=token, authorisation=grant.number, **common)
        assert result.ok, result
        assert result.data["record"] == {"xm": "张伟", "csrq": "1985-05-02"}
        refused = call_service(token=token, authorisation="SQ2026999999", **common)
        assert (refused.status, refused.code) == (403, "authorisation_invalid")
        bad_token = call_service(token="wrong", authorisation=grant.number, **common)
        assert bad_token.code == "not_authenticated" and bad_token.message_id == ""
    # Each process logged its own end: the consumer node and the provider node.
    entries = MessageLog.objects.filter(message_id=result.message_id)
    assert {(e.node_id, e.side, e.outcome) for e in entries} == {
        (mesh.consumer_node.pk, MessageSide.CONSUMER, MessageOutcome.OK),
        (mesh.provider_node.pk, MessageSide.PROVIDER, MessageOutcome.OK),
    }
    assert (
        MessageLog.objects.get(message_id=refused.message_id, side=MessageSide.PROVIDER).outcome
        == MessageOutcome.REFUSED
    )
    # Both nodes reported a heartbeat at start-up.
    assert Node.objects.filter(last_heartbeat_at__isnull=False).count() == 2
