"""Who sees and does what with payments, from outside (pages and API)."""

from __future__ import annotations

import json

import pytest

from conftest import client_for
from yiwang.payments.choices import OrderStatus


def api_order_numbers(client) -> set[str]:
    response = client.get("/api/v1/payments/orders")
    assert response.status_code == 200, response.content
    return {item["order_no"] for item in response.json()["items"]}


@pytest.mark.django_db
def test_each_persona_sees_only_what_it_may(order, personas, billing) -> None:
    assert api_order_numbers(client_for(personas.citizen)) == {order.order_no}
    assert api_order_numbers(client_for(billing.clerk)) == {order.order_no}
    assert api_order_numbers(client_for(personas.other_citizen)) == set()
    assert api_order_numbers(client_for(personas.clerk_b)) == set()
    # clerk_a works in another department of the same county: department-only staff.
    assert api_order_numbers(client_for(personas.clerk_a)) == set()
    assert api_order_numbers(client_for(personas.admin_a)) == {order.order_no}
    for outsider in (personas.other_citizen, personas.clerk_b):
        client = client_for(outsider)
        assert client.get(f"/api/v1/payments/orders/{order.order_no}").status_code == 404
        assert client.get(f"/payments/{order.order_no}/").status_code == 404
        assert client.get(f"/payments/{order.order_no}/receipt.pdf").status_code == 404
    anonymous = client_for(None)
    assert anonymous.get("/api/v1/payments/orders").status_code == 401
    assert anonymous.get(f"/payments/{order.order_no}/").status_code == 302


@pytest.mark.django_db
def test_only_the_payer_can_start_paying(order, personas, billing) -> None:
    body = json.dumps({"channel": "wechat"})
    path = f"/api/v1/payments/orders/{order.order_no}/pay"
    assert (
        client_for(personas.other_citizen)
        .post(path, body, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        client_for(billing.clerk).post(path, body, content_type="application/json").status_code
        == 403
    )
    bad = client_for(personas.citizen).post(
        path, json.dumps({"channel": "bitcoin"}), content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "channel_unknown"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.provider_trade_no == ""


@pytest.mark.django_db
def test_paying_is_idempotent_per_key(order, personas) -> None:
    client = client_for(personas.citizen)
    path = f"/api/v1/payments/orders/{order.order_no}/pay"
    body = json.dumps({"channel": "unionpay"})
    first = client.post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 200 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_billing_through_the_api_needs_the_departments_staff(
    city, personas, billing, fee_task
) -> None:
    body = {
        "case_project_no": "360102XK20261127000009",
        "payer_username": personas.citizen.username,
        "task_version_id": fee_task.pk,
    }
    path = "/api/v1/payments/orders"
    for outsider in (personas.citizen, personas.clerk_b, personas.clerk_a):
        response = client_for(outsider).post(
            path, json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 403, outsider
    made = client_for(billing.clerk).post(path, json.dumps(body), content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["amount_fen"] == 3550 and len(made.json()["lines"]) == 2


@pytest.mark.django_db
def test_receipt_only_after_payment(order, personas) -> None:
    client = client_for(personas.citizen)
    assert client.get(f"/api/v1/payments/orders/{order.order_no}/receipt").status_code == 409
    assert client.get(f"/payments/{order.order_no}/receipt.pdf").status_code == 409


@pytest.mark.django_db
def test_staff_orders_page(order, personas, billing) -> None:
    page = client_for(billing.approver).get("/payments/staff/")
    assert page.status_code == 200 and order.order_no in page.content.decode()
    assert client_for(personas.citizen).get("/payments/staff/").status_code == 403
    assert (
        order.order_no not in client_for(personas.clerk_b).get("/payments/staff/").content.decode()
    )


@pytest.mark.django_db
def test_the_sandbox_is_unreachable_when_switched_off(order, personas, settings) -> None:
    from yiwang.payments import actions
    from yiwang.payments.providers import sandbox

    actions.start_payment(actor=order.payer, order=order, channel="wechat", return_url="/")
    order.refresh_from_db()
    settings.YIWANG_PAYMENT_SANDBOX = False
    client = client_for(personas.citizen)
    assert client.get(f"/payments/sandbox/cashier/{order.provider_trade_no}/").status_code == 404
    body = b'{"event":"TRADE_SUCCESS"}'
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sandbox.sign(body).items()}
    refused = client.post(
        "/api/v1/payments/callbacks/sandbox", body, content_type="application/json", **extra
    )
    assert refused.status_code == 400
    paying = client.post(
        f"/api/v1/payments/orders/{order.order_no}/pay",
        json.dumps({"channel": "wechat"}),
        content_type="application/json",
    )
    assert paying.status_code == 400 and paying.json()["code"] == "channel_unknown"
