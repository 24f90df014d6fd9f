"""Paying and cancelling one order at once, 200 times, from outside.

Black box against the running stack (`make up`): its API over HTTP from many loopback
addresses, its gateway, CDC and its orders worker. 200 shoppers each have a RESERVED order;
for every order a payment (approved card) and a cancellation are fired together, the payment
sent first for half of them and the cancellation first for the other half (a request the
storefront sheds, 503 ``overloaded`` having done nothing, is sent again after its
``Retry-After``, as a shop's client would). Whatever order the server saw them in, once the
pipeline is quiet every order is either CONFIRMED with exactly one charge, or CANCELLED with
no charge or with its charge refunded; no answer is a 5xx; stock and money audits of the
orders pass.
"""

import asyncio
from decimal import Decimal

import httpx
import pytest

from adapters.connections import Clients
from config import Settings
from harness.factories import Shopper, create_product, create_shoppers, put_in_carts, sql
from harness.flows import checkout
from harness.loopback import clients_by_address
from ops.audit import Scope, audit
from ops.money_audit import audit_money
from ops.polling import until
from tests.commerce.test_payment_api import APPROVED, payment_body

pytestmark = pytest.mark.engines

PAIRS = 200
PRICE = Decimal("12.50")
SETTLED_WITHIN_SECONDS = 30.0


async def reserved_orders(
    api: httpx.AsyncClient, clients: Clients, shoppers: list[Shopper], product_id: str
) -> list[str]:
    await put_in_carts(clients, shoppers, product_id, 1)
    answers = await asyncio.gather(
        *(checkout(api, shopper, [(product_id, 1, PRICE)]) for shopper in shoppers)
    )
    assert [a.status_code for a in answers] == [201] * len(shoppers), answers[0].text
    return [a.json()["orderId"] for a in answers]


async def pay_and_cancel(
    client: httpx.AsyncClient, shopper: Shopper, order_id: str, pay_first: bool
) -> tuple[httpx.Response, httpx.Response]:
    pay = client.post(
        "/v1/payment",
        json=payment_body(order_id, APPROVED, amount=float(PRICE)),
        headers=shopper.headers,
    )
    cancel = client.post(f"/v1/orders/{order_id}/cancel", headers=shopper.headers)
    if pay_first:
        paid, cancelled = await asyncio.gather(pay, cancel)
    else:
        cancelled, paid = await asyncio.gather(cancel, pay)
    return paid, cancelled


async def money_of(clients: Clients, order_ids: list[str]) -> dict[str, dict]:
    """Per order: its status, its succeeded charges and its succeeded refunds."""
    rows = await sql(
        clients,
        "SELECT o.order_id::text, o.status,"
        " (SELECT count(*) FROM payments p WHERE p.order_id = o.order_id"
        "  AND p.status = 'SUCCEEDED') AS charges,"
        " (SELECT count(*) FROM refunds r WHERE r.order_id = o.order_id"
        "  AND r.status = 'SUCCEEDED') AS refunds"
        " FROM orders o WHERE o.order_id = ANY(%s::uuid[])",
        order_ids,
    )
    return {row["order_id"]: row for row in rows}


def settled(orders: dict[str, dict]) -> bool:
    """Quiet: no order is left RESERVED (a payment that won is confirmed by the worker)."""
    return all(row["status"] != "RESERVED" for row in orders.values())


async def test_paying_and_cancelling_one_order_at_once(
    running_stack: Clients, settings: Settings
) -> None:
    clients = running_stack
    base_url = f"http://{settings.api_host}:{settings.api_port}"
    shoppers = await create_shoppers(clients, PAIRS)
    product_id = await create_product(clients, price=PRICE, stock=PAIRS)
    async with clients_by_address(
        base_url, PAIRS, connections_each=2, retry_shed=True
    ) as by_address:
        order_ids = await reserved_orders(by_address[0], clients, shoppers, product_id)
        answers = await asyncio.gather(
            *(
                pay_and_cancel(client, shopper, order_id, pay_first=i % 2 == 0)
                for i, (client, shopper, order_id) in enumerate(
                    zip(by_address, shoppers, order_ids, strict=True)
                )
            )
        )

    statuses = [(paid.status_code, cancelled.status_code) for paid, cancelled in answers]
    assert not [s for s in statuses if s[0] >= 500 or s[1] >= 500], statuses
    assert {paid for paid, _ in statuses} <= {200, 409}
    assert {cancelled for _, cancelled in statuses} <= {200, 409}

    async def quiet() -> dict[str, dict]:
        return await money_of(clients, order_ids)

    orders, waited = await until(
        quiet, timeout=SETTLED_WITHIN_SECONDS, what="every order settled", accept=settled
    )
    outcomes = {(row["status"], row["charges"], row["refunds"]) for row in orders.values()}
    assert outcomes <= {("CONFIRMED", 1, 0), ("CANCELLED", 0, 0), ("CANCELLED", 1, 1)}, outcomes
    confirmed = sum(row["status"] == "CONFIRMED" for row in orders.values())
    print(
        f"\n{confirmed} paid first, {PAIRS - confirmed} cancelled first; quiet after {waited:.1f}s"
    )

    money = await audit_money(clients, order_ids)
    assert money.ok, money.as_json()
    stock = await audit(clients, Scope(settings.search_alias, product_prefix=product_id))
    assert not stock.unconserved and not stock.mixed_orders, stock.as_json()
