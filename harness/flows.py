"""Customer steps through the API that several test modules build on."""

import datetime as dt
import json
import time
import uuid
from decimal import Decimal

import httpx

from adapters import carrier_wire
from adapters.connections import Clients
from harness.factories import Shopper, create_product, put_in_carts

Line = tuple[str, int, Decimal]
"""(product id, quantity, unit price shown to the client)"""


def checkout_body(cart_id: uuid.UUID, lines: list[Line], **extra: object) -> dict:
    return {
        "cartId": str(cart_id),
        "products": [
            {"productId": pid, "quantity": qty, "price": float(price)} for pid, qty, price in lines
        ],
        **extra,
    }


async def checkout(
    api: httpx.AsyncClient,
    shopper: Shopper,
    lines: list[Line],
    key: str | None = None,
    cart_id: uuid.UUID | None = None,
    **extra: object,
) -> httpx.Response:
    """POST /v1/checkout of ``lines`` from the shopper's own cart unless ``cart_id`` is given."""
    headers = shopper.headers | ({"Idempotency-Key": key} if key else {})
    body = checkout_body(cart_id or shopper.cart_id, lines, **extra)
    return await api.post("/v1/checkout", json=body, headers=headers)


async def place_order(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, price: Decimal, quantity: int = 1
) -> str:
    """A RESERVED order of ``quantity`` units of a new product; returns its id."""
    product = await create_product(clients, price=price)
    await put_in_carts(clients, [shopper], product, quantity)
    response = await checkout(api, shopper, [(product, quantity, price)])
    assert response.status_code == 201, response.text
    return response.json()["orderId"]


def assert_refused(response: httpx.Response, status: int, code: str) -> dict:
    """The response is the JSON error ``code`` with ``status``; returns the error object."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    return error


def carrier_event(
    tracking_number: str,
    kind: str,
    occurred_at: dt.datetime,
    event_id: str | None = None,
    estimated_delivery: dt.date | None = None,
) -> dict:
    """The body of one carrier tracking event (a fresh event id unless given)."""
    body = {
        "eventId": event_id or f"evt-{uuid.uuid4().hex}",
        "trackingNumber": tracking_number,
        "type": kind,
        "occurredAt": occurred_at.isoformat(),
    }
    if estimated_delivery:
        body["estimatedDelivery"] = estimated_delivery.isoformat()
    return body


async def post_carrier_event(
    api: httpx.AsyncClient, secret: str, body: dict, signed_at: int | None = None
) -> httpx.Response:
    """POST /v1/carrier/events as the carrier does: the exact bytes signed are the bytes sent."""
    raw = json.dumps(body).encode()
    headers = carrier_wire.sign(secret, int(time.time()) if signed_at is None else signed_at, raw)
    return await api.post(
        "/v1/carrier/events",
        content=raw,
        headers={**headers, "Content-Type": "application/json"},
    )
