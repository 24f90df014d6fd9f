"""A discounted purchase through the storefront and on through CDC and the stream worker: the
confirmation email shows the discount, and a declined payment gives the redemption back."""

from decimal import Decimal

import httpx
import pytest

from adapters.connections import Clients
from harness.factories import Shopper, create_discount_code, create_product, put_in_carts
from harness.flows import checkout
from harness.shopdb import ShopDB
from ops.polling import wait_until
from tests.commerce.test_payment_api import APPROVED, DECLINED, pay, payment_body

pytestmark = pytest.mark.engines

WITHIN = 2.0
PRICE = Decimal("64.25")


async def discounted_order(
    clients: Clients, api: httpx.AsyncClient, shopper: Shopper
) -> tuple[str, str]:
    """(order id, code) of a RESERVED order of 2 units (128.50) with 10 % off (115.65)."""
    code = await create_discount_code(clients, redemption_cap=1)
    product = await create_product(clients, price=PRICE)
    await put_in_carts(clients, [shopper], product, 2)
    placed = await checkout(api, shopper, [(product, 2, PRICE)], discountCode=code)
    assert placed.status_code == 201, placed.text
    return placed.json()["orderId"], code


async def test_the_confirmation_email_shows_the_discount(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, db: ShopDB, mailbox
) -> None:
    order_id, code = await discounted_order(clients, api, shopper)
    paid = await pay(api, shopper, payment_body(order_id, APPROVED, amount=115.65))
    assert paid.json()["status"] == "success", paid.text

    wait_until(lambda: db.order_status(order_id) == "CONFIRMED", timeout=WITHIN, what="CONFIRMED")
    [message], _ = wait_until(lambda: mailbox(shopper.email), timeout=WITHIN, what="email")
    body = message.get_payload(decode=True).decode()
    assert "Your payment of 115.65 USD was received" in body
    assert f"Discount code {code} saved you 12.85 USD." in body
    assert (db.redemption(order_id), db.redeemed(code)) == ("REDEEMED", 1)


async def test_a_declined_payment_gives_the_redemption_back(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, db: ShopDB
) -> None:
    order_id, code = await discounted_order(clients, api, shopper)
    declined = await pay(api, shopper, payment_body(order_id, DECLINED, amount=115.65))
    assert declined.json()["status"] == "failed", declined.text

    wait_until(
        lambda: db.redemption(order_id) == "RETURNED", timeout=WITHIN, what="redemption RETURNED"
    )
    assert (db.order_status(order_id), db.redeemed(code)) == ("PAYMENT_FAILED", 0)
