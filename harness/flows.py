"""Customer steps through the API that several test modules build on."""

import uuid
from decimal import Decimal

import httpx

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
