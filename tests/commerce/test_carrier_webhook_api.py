"""The carrier's signed tracking webhook moving a shipped order on (Postgres, in-process API)."""

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable

import httpx
import pytest

from adapters import carrier_wire
from adapters.connections import Clients
from adapters.signing import TOLERANCE_SECONDS
from harness.factories import Shopper, create_shopper, sql
from harness.flows import assert_refused, carrier_event, place_order, post_carrier_event
from tests.commerce.test_orders_api import PRICE, set_status

MORNING = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.UTC)
NOON = MORNING + dt.timedelta(hours=5)


@pytest.fixture
async def admin(clients: Clients) -> Shopper:
    return await create_shopper(clients, role="admin")


@pytest.fixture
def secret(clients: Clients) -> str:
    configured = clients.settings.carrier_webhook_secret
    assert configured is not None, "run `make up`: it generates SHOP_CARRIER_WEBHOOK_SECRET"
    return configured.get_secret_value()


async def shipped_order(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, admin: Shopper
) -> tuple[str, str]:
    """A shipped order of the shopper's and its (unique) tracking number."""
    order_id = await place_order(api, clients, shopper, PRICE)
    await set_status(clients, order_id, "CONFIRMED")
    body = {"trackingNumber": f"TRK-{uuid.uuid4().hex[:16]}", "carrier": "UPS"}
    shipped = await api.post(f"/v1/admin/orders/{order_id}/ship", json=body, headers=admin.headers)
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["carrier"] == "UPS"
    return order_id, body["trackingNumber"]


async def order_row(clients: Clients, order_id: str) -> dict:
    [row] = await sql(
        clients, "SELECT status, estimated_delivery FROM orders WHERE order_id = %s", order_id
    )
    return row


async def test_signed_events_move_the_order_to_delivered(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, admin: Shopper, secret: str
) -> None:
    order_id, tracking = await shipped_order(api, clients, shopper, admin)
    estimate = dt.date(2026, 12, 5)

    in_transit = await post_carrier_event(
        api, secret, carrier_event(tracking, "IN_TRANSIT", MORNING, estimated_delivery=estimate)
    )
    assert in_transit.status_code == 200, in_transit.text
    assert in_transit.json() == {
        "outcome": "applied",
        "orderId": order_id,
        "status": "IN_TRANSIT",
        "reason": None,
    }
    assert await order_row(clients, order_id) == {
        "status": "IN_TRANSIT",
        "estimated_delivery": estimate,
    }

    delivered = await post_carrier_event(api, secret, carrier_event(tracking, "DELIVERED", NOON))
    assert delivered.json()["outcome"] == "applied"
    seen = await api.get(f"/v1/orders/{order_id}/status", headers=shopper.headers)
    assert (seen.json()["status"], seen.json()["carrier"]) == ("DELIVERED", "UPS")


async def test_the_same_event_twice_is_a_no_op(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, admin: Shopper, secret: str
) -> None:
    order_id, tracking = await shipped_order(api, clients, shopper, admin)
    event = carrier_event(tracking, "OUT_FOR_DELIVERY", MORNING)
    first = await post_carrier_event(api, secret, event)
    again = await post_carrier_event(api, secret, event)
    assert first.json()["outcome"] == "applied"
    assert again.status_code == 200
    assert again.json() == {
        "outcome": "duplicate",
        "orderId": order_id,
        "status": "OUT_FOR_DELIVERY",
        "reason": None,
    }
    [kept] = await sql(
        clients, "SELECT count(*) AS n FROM carrier_events WHERE event_id = %s", event["eventId"]
    )
    assert kept["n"] == 1


async def test_an_older_event_arriving_late_does_not_move_the_order_back(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, admin: Shopper, secret: str
) -> None:
    order_id, tracking = await shipped_order(api, clients, shopper, admin)
    await post_carrier_event(api, secret, carrier_event(tracking, "DELIVERED", NOON))

    late = await post_carrier_event(api, secret, carrier_event(tracking, "IN_TRANSIT", MORNING))

    assert late.status_code == 200
    assert (late.json()["outcome"], late.json()["status"]) == ("ignored", "DELIVERED")
    assert (await order_row(clients, order_id))["status"] == "DELIVERED"


@pytest.mark.parametrize("how", ["unsigned", "wrong-secret", "stale"])
async def test_badly_signed_events_are_401_and_change_nothing(
    api: httpx.AsyncClient,
    clients: Clients,
    shopper: Shopper,
    admin: Shopper,
    secret: str,
    how: str,
) -> None:
    order_id, tracking = await shipped_order(api, clients, shopper, admin)
    body = carrier_event(tracking, "DELIVERED", NOON)
    if how == "unsigned":
        response = await api.post("/v1/carrier/events", json=body)
    elif how == "wrong-secret":
        response = await post_carrier_event(api, "not-the-secret", body)
    else:
        stale = int(time.time()) - TOLERANCE_SECONDS - 60
        response = await post_carrier_event(api, secret, body, signed_at=stale)
    assert_refused(response, 401, "bad_signature")
    assert (await order_row(clients, order_id))["status"] == "SHIPPED"


MALFORMED_SIGNATURES: dict[str, bytes] = {
    "non-ascii": b"sha256=" + "é".encode() * 32,
    "latin-1-of-hex-length": b"sha256=" + b"\xff" * 64,
    "wrong-prefix": b"sha512=" + b"0" * 64,
    "wrong-length": b"sha256=" + b"0" * 63,
    "not-hex": b"sha256=" + b"g" * 64,
    "upper-case": b"sha256=" + b"A" * 64,
    "huge": b"sha256=" + b"0" * 60_000,
}


@pytest.mark.parametrize("signature", MALFORMED_SIGNATURES.values(), ids=MALFORMED_SIGNATURES)
async def test_a_malformed_signature_with_a_fresh_timestamp_is_401_not_500(
    api: httpx.AsyncClient, signature: bytes
) -> None:
    """Headers arrive as Latin-1 text: any byte a forger sends must end in a 401."""
    headers = {
        carrier_wire.TIMESTAMP_HEADER: str(int(time.time())),
        carrier_wire.SIGNATURE_HEADER: signature,
        "Content-Type": "application/json",
    }
    body = json.dumps(carrier_event("TRK-unknown", "DELIVERED", NOON)).encode()
    response = await api.post("/v1/carrier/events", content=body, headers=headers)
    assert_refused(response, 401, "bad_signature")


@pytest.mark.parametrize(
    "spell",
    [lambda now: f" {now}".encode(), lambda now: f"{now:_}".encode()],
    ids=["leading-space", "underscores"],
)
async def test_a_timestamp_not_in_ascii_digits_is_401(
    api: httpx.AsyncClient, secret: str, spell: Callable[[int], bytes]
) -> None:
    """The signed text is the header's: the signed time spelt otherwise is not signed."""
    now = int(time.time())
    body = json.dumps(carrier_event("TRK-unknown", "DELIVERED", NOON)).encode()
    headers = {
        **carrier_wire.sign(secret, now, body),
        carrier_wire.TIMESTAMP_HEADER: spell(now),
        "Content-Type": "application/json",
    }
    response = await api.post("/v1/carrier/events", content=body, headers=headers)
    assert_refused(response, 401, "bad_signature")


async def test_an_unknown_tracking_number_is_404(api: httpx.AsyncClient, secret: str) -> None:
    body = carrier_event(f"TRK-{uuid.uuid4().hex}", "IN_TRANSIT", MORNING)
    response = await post_carrier_event(api, secret, body)
    assert_refused(response, 404, "tracking_number_not_found")
    again = await post_carrier_event(api, secret, body)  # nothing was kept: still 404
    assert again.status_code == 404


async def test_a_signed_but_malformed_event_is_422(api: httpx.AsyncClient, secret: str) -> None:
    body = carrier_event("TRK1", "LOST_IN_SPACE", MORNING)
    response = await post_carrier_event(api, secret, body)
    assert_refused(response, 422, "invalid_request")
