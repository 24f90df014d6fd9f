"""Order history, order status and the operator's ship/deliver endpoints."""

import datetime as dt
import uuid
from decimal import Decimal

import httpx
import pytest

from adapters.connections import Clients
from harness.factories import Shopper, create_shopper, sql
from harness.flows import assert_refused, place_order

PRICE = Decimal("12.00")


async def place_orders(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, count: int
) -> list[str]:
    """``count`` RESERVED orders, oldest first."""
    return [await place_order(api, clients, shopper, PRICE) for _ in range(count)]


async def set_status(clients: Clients, order_id: str, status: str) -> None:
    """What the payment stream does on success (the API never confirms orders itself)."""
    await sql(clients, "UPDATE orders SET status = %s WHERE order_id = %s", status, order_id)


@pytest.fixture
async def admin(clients: Clients) -> Shopper:
    return await create_shopper(clients, role="admin")


async def test_history_is_newest_first_and_paginated(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    placed = await place_orders(api, clients, shopper, 3)

    first = await api.get("/v1/orders", params={"page": 1, "size": 2}, headers=shopper.headers)
    second = await api.get("/v1/orders", params={"page": 2, "size": 2}, headers=shopper.headers)

    assert first.status_code == second.status_code == 200
    assert first.json()["pagination"] == {"page": 1, "size": 2, "totalPages": 2, "totalResults": 3}
    listed = [o["orderId"] for o in first.json()["orders"] + second.json()["orders"]]
    assert listed == placed[::-1]
    newest = first.json()["orders"][0]
    assert newest["status"] == "RESERVED"
    assert newest["totalAmount"] == 12.0 and newest["currency"] == "USD"
    assert newest["products"][0]["quantity"] == 1


async def test_history_holds_only_the_callers_orders(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, other_shopper: Shopper
) -> None:
    await place_orders(api, clients, other_shopper, 1)
    response = await api.get("/v1/orders", headers=shopper.headers)
    assert response.json() == {
        "orders": [],
        "pagination": {"page": 1, "size": 20, "totalPages": 0, "totalResults": 0},
    }


@pytest.mark.parametrize("params", [{"size": 101}, {"size": 0}, {"page": 0}, {"page": "x"}])
async def test_bad_pages_are_422(api: httpx.AsyncClient, shopper: Shopper, params: dict) -> None:
    response = await api.get("/v1/orders", params=params, headers=shopper.headers)
    assert_refused(response, 422, "invalid_request")


async def test_status_includes_recorded_history(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    [order_id] = await place_orders(api, clients, shopper, 1)
    at = dt.datetime(2026, 1, 20, 9, 30, tzinfo=dt.UTC)
    await sql(
        clients,
        "INSERT INTO order_status_history (order_id, status, changed_at, source)"
        " VALUES (%s, 'RESERVED', %s, 'test')",
        order_id,
        at,
    )

    response = await api.get(f"/v1/orders/{order_id}/status", headers=shopper.headers)

    assert response.status_code == 200
    assert response.json() == {
        "orderId": order_id,
        "status": "RESERVED",
        "trackingNumber": None,
        "carrier": None,
        "estimatedDelivery": None,
        "history": [{"status": "RESERVED", "changedAt": "2026-01-20T09:30:00Z"}],
    }


async def test_someone_elses_order_status_is_404(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, other_shopper: Shopper
) -> None:
    [order_id] = await place_orders(api, clients, other_shopper, 1)
    for unknown in (order_id, str(uuid.uuid4())):
        response = await api.get(f"/v1/orders/{unknown}/status", headers=shopper.headers)
        assert_refused(response, 404, "order_not_found")


async def test_a_malformed_order_id_is_422(api: httpx.AsyncClient, shopper: Shopper) -> None:
    response = await api.get("/v1/orders/order_789/status", headers=shopper.headers)
    assert response.status_code == 422


async def test_operator_ships_then_delivers_a_confirmed_order(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, admin: Shopper
) -> None:
    [order_id] = await place_orders(api, clients, shopper, 1)
    await set_status(clients, order_id, "CONFIRMED")

    shipped = await api.post(f"/v1/admin/orders/{order_id}/ship", headers=admin.headers)

    assert shipped.status_code == 200, shipped.text
    eta = dt.date.today() + dt.timedelta(days=clients.settings.delivery_transit_days)
    assert shipped.json()["status"] == "SHIPPED"
    assert shipped.json()["trackingNumber"] == f"TRK{uuid.UUID(order_id).hex[:12].upper()}"
    assert abs(dt.date.fromisoformat(shipped.json()["estimatedDelivery"]) - eta) <= dt.timedelta(1)
    seen_by_customer = await api.get(f"/v1/orders/{order_id}/status", headers=shopper.headers)
    assert seen_by_customer.json()["trackingNumber"] == shipped.json()["trackingNumber"]

    delivered = await api.post(f"/v1/admin/orders/{order_id}/deliver", headers=admin.headers)
    assert delivered.status_code == 200
    assert delivered.json()["status"] == "DELIVERED"


async def test_operator_may_give_tracking_details(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, admin: Shopper
) -> None:
    [order_id] = await place_orders(api, clients, shopper, 1)
    await set_status(clients, order_id, "CONFIRMED")
    body = {"trackingNumber": "1Z999AA10123456784", "estimatedDelivery": "2026-02-01"}
    response = await api.post(f"/v1/admin/orders/{order_id}/ship", json=body, headers=admin.headers)
    assert (response.json()["trackingNumber"], response.json()["estimatedDelivery"]) == (
        "1Z999AA10123456784",
        "2026-02-01",
    )


@pytest.mark.parametrize(
    ("status", "action"),
    [("RESERVED", "ship"), ("SHIPPED", "ship"), ("CONFIRMED", "deliver"), ("EXPIRED", "deliver")],
)
async def test_out_of_order_moves_are_409(
    api: httpx.AsyncClient,
    clients: Clients,
    shopper: Shopper,
    admin: Shopper,
    status: str,
    action: str,
) -> None:
    [order_id] = await place_orders(api, clients, shopper, 1)
    await set_status(clients, order_id, status)
    response = await api.post(f"/v1/admin/orders/{order_id}/{action}", headers=admin.headers)
    assert_refused(response, 409, "invalid_transition")


async def test_shipping_needs_an_admin(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, admin: Shopper
) -> None:
    [order_id] = await place_orders(api, clients, shopper, 1)
    as_customer = await api.post(f"/v1/admin/orders/{order_id}/ship", headers=shopper.headers)
    assert as_customer.status_code == 403
    unknown = await api.post(f"/v1/admin/orders/{uuid.uuid4()}/ship", headers=admin.headers)
    assert unknown.status_code == 404
