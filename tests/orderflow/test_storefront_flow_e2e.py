"""The whole purchase through the storefront API (checkout, then the payment edge with the
gateway's test cards) and on through CDC and the stream worker: the issue's headline flow."""

import httpx
import pytest

from adapters.connections import Clients
from harness.factories import Shopper, sql
from harness.flows import place_order
from harness.shopdb import ShopDB
from ops.polling import eventually, wait_until
from tests.commerce.test_payment_api import APPROVED, DECLINED, PRICE, pay, payment_body

pytestmark = pytest.mark.engines

WITHIN = 2.0
STOCK = 100  # what harness.factories.create_product stocks


async def bought_product(clients: Clients, order_id: str) -> str:
    [row] = await sql(clients, "SELECT product_id FROM reservations WHERE order_id = %s", order_id)
    return row["product_id"]


async def test_approved_card_confirms_within_2s_and_sells(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, db: ShopDB, mailbox
) -> None:
    order_id = await place_order(api, clients, shopper, PRICE, quantity=2)
    paid = await pay(api, shopper, payment_body(order_id, APPROVED))
    assert paid.json()["status"] == "success"
    _, latency = wait_until(
        lambda: db.order_status(order_id) == "CONFIRMED", timeout=WITHIN, what="CONFIRMED"
    )
    print(f"payment response -> order CONFIRMED in {latency * 1000:.0f} ms")
    assert db.stock(await bought_product(clients, order_id)) == (STOCK - 2, 0, 2, STOCK)
    wait_until(lambda: mailbox(shopper.email), timeout=WITHIN, what="confirmation email")

    async def history() -> list[str]:  # written by its own agent, so it may trail the email
        answer = await api.get(f"/v1/orders/{order_id}/status", headers=shopper.headers)
        return [h["status"] for h in answer.json()["history"]]

    assert await eventually(history, ["RESERVED", "CONFIRMED"], timeout=WITHIN) == [
        "RESERVED",
        "CONFIRMED",
    ]


async def test_declined_card_releases_within_2s(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, db: ShopDB
) -> None:
    order_id = await place_order(api, clients, shopper, PRICE, quantity=2)
    declined = await pay(api, shopper, payment_body(order_id, DECLINED))
    assert declined.json()["status"] == "failed"
    wait_until(
        lambda: db.order_status(order_id) == "PAYMENT_FAILED", timeout=WITHIN, what="PAYMENT_FAILED"
    )
    assert db.holds(order_id) == {"RELEASED"}
    assert db.stock(await bought_product(clients, order_id)) == (STOCK, 0, 0, STOCK)
