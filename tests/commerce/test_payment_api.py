"""The payment edge through the real gateway process (uvicorn), one test per card outcome."""

import asyncio
import time
import uuid
from decimal import Decimal
from functools import partial

import httpx
import pytest

from adapters import gateway_wire
from adapters.connections import Clients
from config import Settings, get_settings
from harness.factories import Shopper, sql
from harness.flows import assert_refused, place_order
from harness.inprocess import in_process_api
from ops.polling import until
from tests.support.processes import GATEWAY_STALL_SECONDS

APPROVED = "4242424242424242"
DECLINED = "4000000000000002"
INSUFFICIENT_FUNDS = "4000000000009995"
STALLS = "4000000000000259"
FAILS_AFTER_CHARGING = "4000000000000119"
PRICE = Decimal("64.25")


async def reserved_order(api: httpx.AsyncClient, clients: Clients, shopper: Shopper) -> str:
    """A RESERVED order of 2 units (total 128.50), checked out through the API."""
    return await place_order(api, clients, shopper, PRICE, quantity=2)


def payment_body(
    order_id: str, card: str = APPROVED, amount: float = 128.5, **card_fields: object
) -> dict:
    return {
        "orderId": order_id,
        "paymentMethod": "card",
        "cardDetails": {
            "number": card,
            "expMonth": 12,
            "expYear": 2099,
            "cvc": "123",
            **card_fields,
        },
        "amount": amount,
    }


async def pay(
    api: httpx.AsyncClient, shopper: Shopper, body: dict, key: str | None = None
) -> httpx.Response:
    headers = shopper.headers | ({"Idempotency-Key": key} if key else {})
    return await api.post("/v1/payment", json=body, headers=headers)


async def charges_of(gateway_url: str, order_id: str) -> list[dict]:
    """The gateway's charges of the order, asked as the storefront asks (signed)."""
    secret = get_settings().gateway_secret.get_secret_value()
    signature = gateway_wire.sign(secret, int(time.time()), b"")
    async with httpx.AsyncClient(base_url=gateway_url) as gateway:
        response = await gateway.get(
            "/v1/charges",
            params={"orderId": order_id},
            headers={gateway_wire.HEADER: signature},
        )
        return response.json()["data"]


async def payment_rows(clients: Clients, order_id: str) -> list[dict]:
    return await sql(clients, "SELECT * FROM payments WHERE order_id = %s", order_id)


async def test_approved_card_succeeds_once_and_a_retry_replays_it(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, gateway_url: str
) -> None:
    order_id = await reserved_order(api, clients, shopper)

    first = await pay(api, shopper, payment_body(order_id))
    retry = await pay(api, shopper, payment_body(order_id))

    assert first.status_code == retry.status_code == 200
    assert first.json()["status"] == "success"
    assert first.json()["transactionId"].startswith("ch_")
    assert retry.json() == first.json()
    charges = await charges_of(gateway_url, order_id)
    assert [(c["status"], c["amount"], c["currency"]) for c in charges] == [
        ("succeeded", 12850, "usd")
    ]
    [row] = await payment_rows(clients, order_id)
    assert (row["status"], row["card_last4"], row["amount"]) == (
        "SUCCEEDED",
        "4242",
        Decimal("128.50"),
    )
    assert APPROVED not in str(row)


async def test_the_edge_leaves_order_and_stock_to_the_streams(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    order_id = await reserved_order(api, clients, shopper)
    await pay(api, shopper, payment_body(order_id))
    status = await api.get(f"/v1/orders/{order_id}/status", headers=shopper.headers)
    assert status.json()["status"] == "RESERVED"


@pytest.mark.parametrize(
    ("card", "expiry", "reason"),
    [
        (DECLINED, {}, "card_declined"),
        (INSUFFICIENT_FUNDS, {}, "insufficient_funds"),
        (APPROVED, {"expYear": 2020}, "expired_card"),
    ],
)
async def test_declined_cards_fail_and_end_the_order(
    api: httpx.AsyncClient,
    clients: Clients,
    shopper: Shopper,
    card: str,
    expiry: dict,
    reason: str,
) -> None:
    order_id = await reserved_order(api, clients, shopper)

    response = await pay(api, shopper, payment_body(order_id, card, **expiry))

    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    assert response.json()["failureReason"] == reason
    assert [row["status"] for row in await payment_rows(clients, order_id)] == ["FAILED"]
    replay = await pay(api, shopper, payment_body(order_id, card, **expiry))
    assert replay.json() == response.json()
    another_try = await pay(api, shopper, payment_body(order_id), key=uuid.uuid4().hex)
    assert_refused(another_try, 409, "order_not_payable")


async def test_a_gateway_timeout_is_pending_and_a_later_retry_reconciles(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, gateway_url: str
) -> None:
    order_id = await reserved_order(api, clients, shopper)
    key = uuid.uuid4().hex

    pending = await pay(api, shopper, payment_body(order_id, STALLS), key=key)

    assert pending.status_code == 202
    assert pending.json()["status"] == "pending"
    assert pending.json()["transactionId"] is None
    assert [row["status"] for row in await payment_rows(clients, order_id)] == ["UNKNOWN"]

    await until(  # the stalled charge completes at the gateway after the storefront gave up
        partial(charges_of, gateway_url, order_id),
        timeout=GATEWAY_STALL_SECONDS + 10,
        what="the stalled charge recorded by the gateway",
    )
    settled = await pay(api, shopper, payment_body(order_id, STALLS), key=key)

    assert settled.status_code == 200
    assert settled.json()["status"] == "success"
    assert settled.json()["paymentId"] == pending.json()["paymentId"]
    charges = await charges_of(gateway_url, order_id)
    assert [c["id"] for c in charges] == [settled.json()["transactionId"]]


async def test_a_gateway_failing_after_charging_is_retried_into_success(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, gateway_url: str
) -> None:
    order_id = await reserved_order(api, clients, shopper)

    response = await pay(api, shopper, payment_body(order_id, FAILS_AFTER_CHARGING))

    assert response.status_code == 200
    assert response.json()["status"] == "success"
    charges = await charges_of(gateway_url, order_id)
    assert [c["id"] for c in charges] == [response.json()["transactionId"]]


@pytest.mark.parametrize("same_key", [True, False], ids=["same-key", "new-key-each"])
async def test_a_double_submit_charges_once(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, gateway_url: str, same_key: bool
) -> None:
    order_id = await reserved_order(api, clients, shopper)
    shared_key = uuid.uuid4().hex
    responses = await asyncio.gather(
        *(
            pay(
                api,
                shopper,
                payment_body(order_id),
                key=shared_key if same_key else uuid.uuid4().hex,
            )
            for _ in range(6)
        )
    )

    assert {r.status_code for r in responses} <= {200, 202}
    assert len({r.json()["paymentId"] for r in responses}) == 1
    assert len(await payment_rows(clients, order_id)) == 1
    charges = await charges_of(gateway_url, order_id)
    assert [c["status"] for c in charges] == ["succeeded"]


async def test_an_unreachable_gateway_leaves_the_payment_pending(
    app_settings: Settings, clients: Clients, shopper: Shopper
) -> None:
    nowhere = app_settings.model_copy(update={"gateway_url": "http://127.0.0.1:9"})
    async with in_process_api(nowhere) as (_, api):
        order_id = await reserved_order(api, clients, shopper)
        response = await pay(api, shopper, payment_body(order_id))
    assert response.status_code == 202
    [row] = await payment_rows(clients, order_id)
    assert (row["status"], row["failure_reason"]) == ("UNKNOWN", "gateway_unreachable")


async def test_the_amount_must_be_the_order_total(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    order_id = await reserved_order(api, clients, shopper)
    response = await pay(api, shopper, payment_body(order_id, amount=100.0))
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "amount_mismatch",
        "message": "amount 100.00 does not equal the order total 128.50",
        "orderTotal": 128.5,
    }
    assert await payment_rows(clients, order_id) == []


async def test_someone_elses_order_is_404(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, other_shopper: Shopper
) -> None:
    order_id = await reserved_order(api, clients, other_shopper)
    response = await pay(api, shopper, payment_body(order_id))
    assert_refused(response, 404, "order_not_found")


async def test_only_reserved_orders_can_be_paid(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    order_id = await reserved_order(api, clients, shopper)
    await sql(clients, "UPDATE orders SET status = 'EXPIRED' WHERE order_id = %s", order_id)
    response = await pay(api, shopper, payment_body(order_id))
    assert_refused(response, 409, "order_not_payable")


async def test_an_idempotency_key_belongs_to_one_order(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    key = uuid.uuid4().hex
    first = await reserved_order(api, clients, shopper)
    second = await reserved_order(api, clients, shopper)
    assert (await pay(api, shopper, payment_body(first), key=key)).status_code == 200
    response = await pay(api, shopper, payment_body(second), key=key)
    assert_refused(response, 409, "idempotency_key_reused")


@pytest.mark.parametrize(
    "change",
    [
        {"paymentMethod": "paypal"},
        {"amount": -5},
        {"amount": 0},
        {"orderId": "order_789"},
        {"cardDetails": {"number": "4242424242424241", "expMonth": 1, "expYear": 2099, "cvc": "1"}},
        {"cardDetails": {"number": APPROVED, "expMonth": 13, "expYear": 2099, "cvc": "123"}},
        {"cardDetails": None},
    ],
)
async def test_bad_payment_requests_are_422(
    api: httpx.AsyncClient, shopper: Shopper, change: dict
) -> None:
    body = payment_body(str(uuid.uuid4())) | change
    response = await pay(api, shopper, body)
    assert_refused(response, 422, "invalid_request")
