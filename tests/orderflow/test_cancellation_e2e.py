"""A paid order cancelled by its owner before shipping: the payment is refunded through the
gateway, the sold units are on sale again, and the customer is mailed (through CDC and the
notification agent); once shipped, cancelling is refused."""

import httpx
import pytest

from adapters.connections import Clients
from harness.factories import Shopper, create_shopper, sql
from harness.flows import assert_refused, place_order
from harness.shopdb import ShopDB
from ops.polling import eventually, wait_until
from tests.commerce.test_payment_api import APPROVED, PRICE, pay, payment_body
from tests.orderflow.test_storefront_flow_e2e import STOCK, bought_product

pytestmark = pytest.mark.engines

WITHIN = 5.0


async def confirmed_order(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, db: ShopDB
) -> str:
    """A paid order of 2 units, confirmed by the payment agent."""
    order_id = await place_order(api, clients, shopper, PRICE, quantity=2)
    assert (await pay(api, shopper, payment_body(order_id, APPROVED))).json()["status"] == "success"
    wait_until(lambda: db.order_status(order_id) == "CONFIRMED", timeout=WITHIN, what="CONFIRMED")
    return order_id


async def test_cancelling_a_paid_order_refunds_it_and_puts_the_units_back(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, db: ShopDB, mailbox
) -> None:
    order_id = await confirmed_order(api, clients, shopper, db)
    product = await bought_product(clients, order_id)
    assert db.stock(product) == (STOCK - 2, 0, 2, STOCK)

    cancelled = await api.post(f"/v1/orders/{order_id}/cancel", headers=shopper.headers)

    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["status"] == "CANCELLED"
    assert body["refund"]["status"] == "SUCCEEDED"
    assert body["refund"]["amount"] == float(PRICE * 2)
    assert body["refund"]["refundId"].startswith("re_")
    assert db.stock(product) == (STOCK, 0, 0, STOCK)
    assert db.holds(order_id) == {"RELEASED"}
    [refund] = await sql(clients, "SELECT status FROM refunds WHERE order_id = %s", order_id)
    assert refund["status"] == "SUCCEEDED"

    again = await api.post(f"/v1/orders/{order_id}/cancel", headers=shopper.headers)
    assert (again.status_code, again.json()) == (200, body)

    def cancellation_mail() -> list[str]:
        return [m["Subject"] for m in mailbox(shopper.email) if "cancelled" in m["Subject"]]

    subjects, _ = wait_until(cancellation_mail, timeout=WITHIN, what="cancellation email")
    assert subjects == [f"Order {order_id[:8]} cancelled"]

    async def history() -> list[str]:
        answer = await api.get(f"/v1/orders/{order_id}/status", headers=shopper.headers)
        return [h["status"] for h in answer.json()["history"]]

    lifecycle = ["RESERVED", "CONFIRMED", "CANCELLED"]
    assert await eventually(history, lifecycle, timeout=WITHIN) == lifecycle


async def test_a_shipped_order_cannot_be_cancelled(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, db: ShopDB
) -> None:
    order_id = await confirmed_order(api, clients, shopper, db)
    admin = await create_shopper(clients, role="admin")
    shipped = await api.post(f"/v1/admin/orders/{order_id}/ship", headers=admin.headers)
    assert shipped.status_code == 200

    refused = await api.post(f"/v1/orders/{order_id}/cancel", headers=shopper.headers)

    assert_refused(refused, 409, "not_cancellable")
    assert db.order_status(order_id) == "SHIPPED"
    assert db.stock(await bought_product(clients, order_id)) == (STOCK - 2, 0, 2, STOCK)
