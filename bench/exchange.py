"""Issue 10: signed calls per second through two exchange nodes (separate processes, loopback)
against a direct call of the same provider function in the same run, and the per-call cost
the two security servers add. Baselines of the same machine: an Ed25519 sign + verify, and
an empty HTTP round trip to a node.

The anchor: a security server should add a small constant cost per call, not a multiple of
the work. The provider function here is a single indexed look-up, so the ratio is large by
construction; the figure to read is the added milliseconds per call.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench.common import ROOT, Figure, bench_env, free_port, manage, rate, report, scratch_database

SECONDS = 5.0


@contextlib.contextmanager
def node(config: Path, port: int, env: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(
        [sys.executable, "-m", "yiwang.exchange.node", "--config", str(config)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 40
        url = f"http://127.0.0.1:{port}/exchange/v1/health"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("exchange node did not start") from None
                time.sleep(0.2)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _prepare(folder: Path, url: str) -> dict[str, object]:
    """Point the demo nodes at free ports, write their keys and configs, authorise the bench."""
    from yiwang.core.actors import SYSTEM
    from yiwang.core.crypto import decrypt_text
    from yiwang.exchange import actions, clock, protocol
    from yiwang.exchange.models import ExchangeService, Node, Subsystem
    from yiwang.identity.actions import DOCUMENT_CONTEXT
    from yiwang.identity.models import Person
    from yiwang.portal.demo.exchange import HUB, POLICE_NODE, demo_key

    ports: dict[str, int] = {}
    for code in (HUB, POLICE_NODE):
        port = free_port()
        ports[code] = port
        entry = Node.objects.get(server_code=code)
        actions.update_node(actor=SYSTEM, node=entry, endpoint_url=f"http://127.0.0.1:{port}")
        (folder / f"{code}.pem").write_bytes(protocol.private_key_pem(demo_key(code)))
        (folder / f"{code}.toml").write_text(
            f'node = "{entry.identity}"\nlisten = "127.0.0.1:{port}"\n'
            f'private_key_file = "{code}.pem"\nlocal_token = "bench-{code}"\n'
            f'database_url = "{url}"\nheartbeat_seconds = 600\n',
            encoding="utf-8",
        )
    client = Subsystem.objects.get(department__name="东湖区市场监督管理局")
    service = ExchangeService.objects.get(service_code="getPerson")
    today = clock.today()
    request = actions.submit_sharing_request(
        actor=SYSTEM,
        department=client.department,
        resource=service.resource,
        items=["xm", "csrq"],
        purpose="性能基准",
        scenario="bench",
        period_start=today,
        period_end=today + dt.timedelta(days=1),
        rate_limit_per_minute=60_000,
    )
    actions.review_compliance(actor=SYSTEM, request=request, approve=True)
    actions.review_as_provider(actor=SYSTEM, request=request, authorise=True)
    request.refresh_from_db()
    person = Person.objects.get(user__phone="13800000001")
    number = decrypt_text(person.document_encrypted, context=DOCUMENT_CONTEXT)
    return {
        "ports": ports,
        "client": client.identity,
        "service": service,
        "authorisation": request.authorisation.number,
        "subject": {"type": person.document_type, "number": number},
        "subject_hash": person.document_hash,
    }


def _in_process_rate(setup: dict[str, object]) -> tuple[float, float]:
    """Both nodes' logic in this process, the provider reached without HTTP."""
    from yiwang.exchange.models import Node
    from yiwang.exchange.runtime import NodeRuntime
    from yiwang.portal.demo.exchange import HUB, POLICE_NODE, demo_key

    provider = NodeRuntime(Node.objects.get(server_code=POLICE_NODE), demo_key(POLICE_NODE))

    def deliver(url: str, headers: object, body: bytes, timeout: float) -> object:
        return provider.handle_message(dict(headers), body)  # type: ignore[call-overload]

    consumer = NodeRuntime(Node.objects.get(server_code=HUB), demo_key(HUB), transport=deliver)

    def one() -> None:
        result = consumer.call(
            client=str(setup["client"]),
            service=setup["service"].identity,  # type: ignore[attr-defined]
            authorisation=str(setup["authorisation"]),
            purpose="性能基准",
            user_id="bench",
            subject=setup["subject"],
            items=["xm", "csrq"],
        )
        if not result.ok:
            raise RuntimeError(result.code)

    return _time_calls(one, 2.0)[0], _cpu_ms(one, 50)


def _cpu_ms(call: object, count: int = 200) -> float:
    """CPU milliseconds per call in this process (less sensitive to a busy machine)."""
    start = time.process_time()
    for _ in range(count):
        call()  # type: ignore[operator]
    return (time.process_time() - start) * 1000 / count


def _time_calls(call: object, seconds: float) -> tuple[float, int]:
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        call()  # type: ignore[operator]
        count += 1
    return count / (time.perf_counter() - start), count


def run() -> None:
    with scratch_database() as (url, folder):
        env = bench_env(url)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo_city")
        os.environ.update(env)
        import django

        django.setup()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from yiwang.exchange import protocol
        from yiwang.exchange.client import call_service
        from yiwang.exchange.models import MessageLog
        from yiwang.exchange.providers import ServiceCall, records
        from yiwang.portal.demo.exchange import HUB, POLICE_NODE

        setup = _prepare(folder, url)
        ports = setup["ports"]
        assert isinstance(ports, dict)

        # The same provider function, called directly in this process.
        direct_call = ServiceCall(setup["service"], str(setup["subject_hash"]), ("xm", "csrq"))
        assert records(direct_call) is not None
        direct = rate(lambda: records(direct_call), seconds=2.0)

        key = Ed25519PrivateKey.generate()
        public = protocol.public_key_text(key)
        message = b"x" * 400

        def sign_and_verify() -> None:
            protocol.verify(public, message, protocol.sign(key, message))

        crypto = rate(sign_and_verify, seconds=1.0)
        in_process, in_process_cpu = _in_process_rate(setup)
        direct_cpu = _cpu_ms(lambda: records(direct_call), 500)

        node_env = {**env, "PYTHONPATH": str(ROOT)}
        with (
            node(folder / f"{HUB}.toml", ports[HUB], node_env),
            node(folder / f"{POLICE_NODE}.toml", ports[POLICE_NODE], node_env),
        ):
            health = f"http://127.0.0.1:{ports[HUB]}/exchange/v1/health"

            def empty() -> None:
                with urllib.request.urlopen(health, timeout=5) as answer:  # noqa: S310
                    answer.read()

            empty_rate, _ = _time_calls(empty, 2.0)
            failures: list[str] = []

            def signed() -> None:
                result = call_service(
                    node_url=f"http://127.0.0.1:{ports[HUB]}",
                    token=f"bench-{HUB}",
                    client=str(setup["client"]),
                    service=setup["service"].identity,  # type: ignore[attr-defined]
                    authorisation=str(setup["authorisation"]),
                    purpose="性能基准",
                    user_id="bench",
                    subject=setup["subject"],
                    items=["xm", "csrq"],
                )
                if not result.ok:
                    failures.append(result.code)

            signed()  # warm up both nodes
            through, calls = _time_calls(signed, SECONDS)
        if failures:
            raise RuntimeError(f"{len(failures)} failed signed calls in the bench: {failures[:3]}")
        logged = MessageLog.objects.count()
        overhead_ms = 1000.0 / through - 1000.0 / direct
        database = url.split(":", 1)[0]
        report(
            f"exchange: two nodes (wsgiref, one process each) on loopback, {database}",
            [
                Figure("direct call of the provider function", direct, "calls/s"),
                Figure("Ed25519 sign + verify (crypto primitive)", crypto, "ops/s"),
                Figure("empty HTTP round trip to a node", empty_rate, "req/s"),
                Figure(
                    "signed call through two nodes",
                    through,
                    "calls/s",
                    "direct call",
                    direct,
                    f"{calls} calls, all verified; {logged} log entries in all",
                ),
                Figure(
                    "signed call, both nodes in this process (no HTTP)",
                    in_process,
                    "calls/s",
                    "direct call",
                    direct,
                    "the security servers' own work: sign, verify, check, log twice",
                ),
                Figure(
                    "  … through nodes, against the empty round trip",
                    through,
                    "calls/s",
                    "empty HTTP round trip",
                    empty_rate,
                ),
                Figure(
                    "CPU per call, both nodes in this process",
                    in_process_cpu,
                    "ms",
                    note=f"direct call {direct_cpu:.2f} ms CPU",
                ),
                Figure(
                    "added cost per call (two security servers)",
                    overhead_ms,
                    "ms",
                    note=f"direct {1000 / direct:.2f} ms, through nodes {1000 / through:.2f} ms",
                ),
            ],
        )
