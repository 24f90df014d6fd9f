"""The owner cancels an order before it ships (Postgres and the gateway, in-process API)."""

import uuid

import httpx
import pytest

from adapters.connections import Clients
from harness.factories import Shopper, sql
from harness.flows import assert_refused, place_order
from tests.commerce.test_orders_api import PRICE, set_status

STOCK = 100  # what harness.factories.create_product stocks


async def stock_of_order(clients: Clients, order_id: str) -> tuple[int, int, int, int]:
    """(available, reserved, sold, stocked) of the order's one product."""
    [row] = await sql(
        clients,
        "SELECT available_qty, reserved_qty, sold_qty, stocked_qty FROM inventory i"
        " JOIN reservations r USING (product_id) WHERE r.order_id = %s",
        order_id,
    )
    return row["available_qty"], row["reserved_qty"], row["sold_qty"], row["stocked_qty"]


async def cancel(api: httpx.AsyncClient, shopper: Shopper, order_id: str) -> httpx.Response:
    return await api.post(f"/v1/orders/{order_id}/cancel", headers=shopper.headers)


async def test_cancelling_a_reserved_order_gives_its_stock_back(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    order_id = await place_order(api, clients, shopper, PRICE, quantity=3)
    assert await stock_of_order(clients, order_id) == (STOCK - 3, 3, 0, STOCK)

    response = await cancel(api, shopper, order_id)

    assert response.status_code == 200, response.text
    assert response.json() == {"orderId": order_id, "status": "CANCELLED", "refund": None}
    assert await stock_of_order(clients, order_id) == (STOCK, 0, 0, STOCK)
    [hold] = await sql(clients, "SELECT status FROM reservations WHERE order_id = %s", order_id)
    assert hold["status"] == "RELEASED"
    again = await cancel(api, shopper, order_id)
    assert (again.status_code, again.json()) == (200, response.json())
    assert await stock_of_order(clients, order_id) == (STOCK, 0, 0, STOCK)


@pytest.mark.parametrize("status", ["SHIPPED", "IN_TRANSIT", "DELIVERED"])
async def test_a_shipped_order_cannot_be_cancelled(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, status: str
) -> None:
    order_id = await place_order(api, clients, shopper, PRICE)
    await set_status(clients, order_id, status)
    error = assert_refused(await cancel(api, shopper, order_id), 409, "not_cancellable")
    assert error["status"] == status and "shipped" in error["message"]


async def test_only_the_owner_may_cancel(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, other_shopper: Shopper
) -> None:
    order_id = await place_order(api, clients, other_shopper, PRICE)
    for unknown in (order_id, str(uuid.uuid4())):
        assert_refused(await cancel(api, shopper, unknown), 404, "order_not_found")
    assert (await sql(clients, "SELECT status FROM orders WHERE order_id = %s", order_id))[0][
        "status"
    ] == "RESERVED"
    unsigned = await api.post(f"/v1/orders/{order_id}/cancel")
    assert unsigned.status_code == 401
