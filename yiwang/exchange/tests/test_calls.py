"""Signed calls between nodes (in process): what the provider refuses, what both ends log."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from yiwang.exchange import actions, clock, protocol
from yiwang.exchange.choices import MessageOutcome, MessageSide
from yiwang.exchange.models import MessageLog
from yiwang.exchange.runtime import LocalCallError, NodeRuntime
from yiwang.exchange.tests.conftest import (
    authorise_population,
    in_process_transport,
    load_population,
    number_of,
)


def _call(world, mesh, consumer, grant, *, items=("xm", "csrq"), user=None):
    user = user or world.citizen
    return consumer.call(
        client=mesh.client.identity,
        service=mesh.service.identity,
        authorisation=grant.number if grant else "SQ2026999999",
        purpose="办件 NC2026000123 材料「身份证明」免提交",
        user_id="yiwang:market.data",
        subject={"type": "111", "number": number_of(user)},
        items=list(items),
    )


def _provider_entry(result):
    return MessageLog.objects.get(side=MessageSide.PROVIDER, message_id=result.message_id)


def _content(entry: MessageLog) -> protocol.EntryContent:
    return entry.content()


@pytest.mark.django_db
def test_a_valid_call_returns_the_record_and_both_ends_log_verifiable_entries(
    world, mesh, runtimes
) -> None:
    consumer, _provider = runtimes
    load_population(world, world.citizen, world.other_citizen)
    grant = authorise_population(world)
    result = _call(world, mesh, consumer, grant)
    assert result.ok and result.verified
    assert result.data["record"] == {"xm": "张伟", "csrq": "1985-05-02"}
    assert "hjdz" not in result.data["record"]  # only the authorised items
    entries = MessageLog.objects.filter(message_id=result.message_id).order_by("side")
    assert [(e.side, e.node, e.outcome) for e in entries] == [
        (MessageSide.CONSUMER, mesh.consumer_node, MessageOutcome.OK),
        (MessageSide.PROVIDER, mesh.provider_node, MessageOutcome.OK),
    ]
    for entry in entries:
        content = _content(entry)
        assert content.problems() == []  # both signatures verify against the logged keys
        assert entry.digest == content.digest()
        assert entry.request_key == mesh.consumer_node.public_key
        assert entry.response_key == mesh.provider_node.public_key
        assert entry.subject_hash == world.citizen.person.document_hash
        assert entry.consumer_department == world.city.dept_a2
        assert entry.provider_department == world.police
    consumer_entry, provider_entry = entries
    # The same request and response seen from both ends.
    assert consumer_entry.request_signature == provider_entry.request_signature
    assert consumer_entry.response_signature == provider_entry.response_signature
    # No identity number is stored in the log.
    assert number_of(world.citizen) not in json.dumps(
        list(MessageLog.objects.values()), default=str
    )


@pytest.mark.django_db
def test_a_tampered_log_entry_no_longer_verifies(world, mesh, runtimes) -> None:
    consumer, _provider = runtimes
    load_population(world, world.citizen)
    result = _call(world, mesh, consumer, authorise_population(world))
    content = _content(_provider_entry(result))
    for field, value in (("purpose", "另一用途"), ("user_id", "someone"), ("items", ("hjdz",))):
        changed = protocol.EntryContent(**{**content.__dict__, field: value})
        assert changed.digest() != content.digest()
        if field != "items":  # items are in the body, covered by its hash and the digest
            assert "request_signature_invalid" in changed.problems()
    forged = protocol.EntryContent(**{**content.__dict__, "response_code": "ok2"})
    assert forged.problems() == ["response_signature_invalid"]


@pytest.mark.django_db
def test_without_a_valid_authorisation_the_provider_refuses_and_logs(world, mesh, runtimes) -> None:
    consumer, _provider = runtimes
    load_population(world, world.citizen)
    result = _call(world, mesh, consumer, None)
    assert not result.ok and result.verified  # a signed refusal
    assert (result.status, result.code) == (403, "authorisation_invalid")
    assert result.data is None
    entry = _provider_entry(result)
    assert (
        entry.outcome == MessageOutcome.REFUSED and entry.response_code == "authorisation_invalid"
    )
    consumer_entry = MessageLog.objects.get(side=MessageSide.CONSUMER, message_id=result.message_id)
    assert consumer_entry.outcome == MessageOutcome.REFUSED
    assert _content(entry).problems() == []  # a refusal is signed too


@pytest.mark.django_db
def test_another_departments_authorisation_does_not_open_the_door(world, mesh, runtimes) -> None:
    consumer, _provider = runtimes
    load_population(world, world.citizen)
    # 西湖区 holds an authorisation; 东湖区's subsystem tries to use its number.
    from yiwang.exchange.tests.conftest import authorise_population as grant_for

    theirs = grant_for(world, actor=world.officer_b, department=world.city.dept_b)
    result = _call(world, mesh, consumer, theirs)
    assert result.code == "authorisation_invalid"


@pytest.mark.django_db
def test_items_beyond_the_authorisation_are_refused(world, mesh, runtimes) -> None:
    consumer, _provider = runtimes
    load_population(world, world.citizen)
    result = _call(world, mesh, consumer, authorise_population(world), items=("xm", "hjdz"))
    assert result.code == "items_not_authorised" and result.status == 403
    assert _provider_entry(result).outcome == MessageOutcome.REFUSED


@pytest.mark.django_db
def test_outside_the_period_is_refused(world, mesh, runtimes, monkeypatch) -> None:
    consumer, _provider = runtimes
    load_population(world, world.citizen)
    grant = authorise_population(
        world,
        period_start=clock.today() + dt.timedelta(days=3),
        period_end=clock.today() + dt.timedelta(days=30),
    )
    result = _call(world, mesh, consumer, grant)
    assert result.code == "authorisation_out_of_period"
    later = clock.today() + dt.timedelta(days=31)
    monkeypatch.setattr(clock, "today", lambda: later)
    assert _call(world, mesh, consumer, grant).code == "authorisation_out_of_period"
    assert (
        MessageLog.objects.filter(
            side=MessageSide.PROVIDER, response_code="authorisation_out_of_period"
        ).count()
        == 2
    )


@pytest.mark.django_db
def test_over_the_rate_is_refused(world, mesh, runtimes, monkeypatch) -> None:
    consumer, _provider = runtimes
    load_population(world, world.citizen)
    grant = authorise_population(world, rate_limit_per_minute=3)
    minute = dt.datetime(2026, 10, 12, 9, 30, 5, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: minute)
    codes = [_call(world, mesh, consumer, grant).code for _ in range(5)]
    assert codes == ["ok", "ok", "ok", "rate_limited", "rate_limited"]
    refused = MessageLog.objects.filter(side=MessageSide.PROVIDER, response_code="rate_limited")
    assert refused.count() == 2
    assert all(e.outcome == MessageOutcome.REFUSED for e in refused)
    # The next minute has room again.
    monkeypatch.setattr(clock, "now", lambda: minute + dt.timedelta(minutes=1))
    assert _call(world, mesh, consumer, grant).code == "ok"


@pytest.mark.django_db
def test_revoked_authorisation_is_refused(world, mesh, runtimes) -> None:
    consumer, _provider = runtimes
    load_population(world, world.citizen)
    grant = authorise_population(world)
    actions.revoke_authorisation(actor=world.police_officer, authorisation=grant, reason="停止")
    assert _call(world, mesh, consumer, grant).code == "authorisation_revoked"


@pytest.mark.django_db
def test_a_bad_signature_is_refused_and_logged(world, mesh, runtimes) -> None:
    _consumer, provider = runtimes
    load_population(world, world.citizen)
    grant = authorise_population(world)
    impostor = NodeRuntime.__new__(NodeRuntime)  # same registry entry, a different key
    impostor.node, impostor.key = mesh.consumer_node, protocol.generate_key()
    impostor.public_key, impostor.timeout = mesh.consumer_node.public_key, 5.0
    impostor.transport = in_process_transport(provider)
    result = _call(world, mesh, impostor, grant)
    assert (result.status, result.code) == (403, "signature_invalid")
    assert result.data is None
    entry = _provider_entry(result)
    assert entry.outcome == MessageOutcome.REFUSED
    assert "request_signature_invalid" in _content(entry).problems()


def _signed_request(mesh, grant, body: bytes, *, key=None, **changes):
    headers = protocol.RequestHeaders(
        client=mesh.client.identity,
        service=mesh.service.identity,
        message_id=protocol.new_message_id(),
        user_id="yiwang:test",
        authorisation=grant.number,
        purpose="测试",
        timestamp=protocol.now_timestamp(clock.now()),
        request_hash=protocol.body_hash(body),
    )
    headers = protocol.RequestHeaders(**{**headers.__dict__, **changes})
    return headers, headers.to_http(protocol.sign(key or mesh.consumer_key, headers.canonical()))


@pytest.mark.django_db
def test_provider_refuses_tampered_bodies_stale_timestamps_and_replays(
    world, mesh, runtimes
) -> None:
    _consumer, provider = runtimes
    load_population(world, world.citizen)
    grant = authorise_population(world)
    body = protocol.canonical_body(
        {
            "subject": {"type": "111", "number": number_of(world.citizen)},
            "items": ["xm"],
            "params": {},
        }
    )
    # A body changed after signing.
    _h, http = _signed_request(mesh, grant, body)
    status, headers, _answer = provider.handle_message(http, body.replace(b"xm", b"xx"))
    assert (status, headers[protocol.RESULT_CODE]) == (400, "request_hash_mismatch")
    # A request signed an hour ago.
    old = protocol.now_timestamp(clock.now() - dt.timedelta(hours=1))
    _h, http = _signed_request(mesh, grant, body, timestamp=old)
    status, headers, _answer = provider.handle_message(http, body)
    assert headers[protocol.RESULT_CODE] == "timestamp_out_of_window"
    # A replay of a served message.
    _h, http = _signed_request(mesh, grant, body)
    first = provider.handle_message(http, body)
    again = provider.handle_message(http, body)
    assert first[0] == 200 and (again[0], again[1][protocol.RESULT_CODE]) == (
        409,
        "message_replayed",
    )
    # Missing headers: still answered (signed) and logged.
    status, headers, _answer = provider.handle_message({"X-Yiwang-Client": "nonsense"}, body)
    assert (status, headers[protocol.RESULT_CODE]) == (400, "header_missing")
    codes = set(
        MessageLog.objects.filter(side=MessageSide.PROVIDER).values_list("response_code", flat=True)
    )
    assert {"request_hash_mismatch", "timestamp_out_of_window", "message_replayed",
            "header_missing", "ok"} <= codes  # fmt: skip


@pytest.mark.django_db
def test_consumer_rejects_an_unsigned_or_forged_answer(world, mesh, runtimes) -> None:
    consumer, provider = runtimes
    load_population(world, world.citizen)
    grant = authorise_population(world)

    def forging(url, headers, body, timeout):
        status, answer_headers, answer = provider.handle_message(dict(headers), body)
        return status, answer_headers, answer.replace("张伟".encode(), "李四".encode())

    consumer.transport = forging
    result = _call(world, mesh, consumer, grant)
    assert not result.ok and result.code == "response_signature_invalid" and result.data is None
    entry = MessageLog.objects.get(side=MessageSide.CONSUMER, message_id=result.message_id)
    assert entry.outcome == MessageOutcome.ERROR


@pytest.mark.django_db
def test_unreachable_provider_is_logged_at_the_consumer(world, mesh, runtimes) -> None:
    consumer, _provider = runtimes

    def down(url, headers, body, timeout):
        raise ConnectionRefusedError("down")

    consumer.transport = down
    result = _call(world, mesh, consumer, authorise_population(world))
    assert result.code == "provider_unreachable"
    assert MessageLog.objects.get(message_id=result.message_id).outcome == MessageOutcome.ERROR


@pytest.mark.django_db
def test_local_misuse_is_refused_before_sending(world, mesh, runtimes) -> None:
    consumer, _provider = runtimes
    with pytest.raises(LocalCallError) as caught:
        consumer.call(
            client="CN-JX/GOV/91360100000000000X/other",
            service=mesh.service.identity,
            authorisation="x",
            purpose="p",
            user_id="u",
            subject=None,
            items=["xm"],
        )
    assert caught.value.code == "client_not_hosted"
    assert not MessageLog.objects.exists()


@pytest.mark.django_db
def test_a_node_refuses_to_start_with_a_key_that_is_not_registered(mesh) -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        NodeRuntime(mesh.provider_node, protocol.generate_key())


@pytest.mark.django_db
def test_valid_call_log_entries_appear_in_the_ledger(world, mesh, runtimes) -> None:
    from yiwang.ledger.models import LedgerEntry

    consumer, _provider = runtimes
    load_population(world, world.citizen)
    result = _call(world, mesh, consumer, authorise_population(world))
    assert result.ok
    for entry in MessageLog.objects.filter(message_id=result.message_id):
        assert entry.anchored
        anchored = LedgerEntry.objects.get(kind="exchange.message", digest=entry.digest)
        assert anchored.subject.endswith(f"#{entry.side}#{entry.message_id}")


@pytest.mark.django_db
def test_a_suspended_consumer_node_is_refused_once_the_registry_is_reread(
    world, mesh, runtimes, settings
) -> None:
    consumer, provider = runtimes
    load_population(world, world.citizen)
    grant = authorise_population(world)
    assert _call(world, mesh, consumer, grant).ok
    actions.update_node(actor=world.data_admin, node=mesh.consumer_node, status="suspended")
    # Nodes keep registry rows for YIWANG_EXCHANGE_REGISTRY_TTL_SECONDS (5 s by default).
    assert _call(world, mesh, consumer, grant).ok
    settings.YIWANG_EXCHANGE_REGISTRY_TTL_SECONDS = 0
    result = _call(world, mesh, consumer, grant)
    assert (result.status, result.code) == (403, "client_node_suspended")
