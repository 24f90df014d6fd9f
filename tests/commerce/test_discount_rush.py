"""1000 buyers, one code good for 50 orders: exactly 50 redemptions, whatever the timing.

Postgres is the arbiter, as it is for stock: each checkout takes a use with a conditional
increment under the code's row lock, in the transaction that reserves its stock. Stock is
plentiful here (and the stock gate admits everyone), so only the code can turn buyers away.
"""

import time
from decimal import Decimal

import httpx

from adapters.connections import Clients
from harness.factories import (
    create_discount_code,
    create_product,
    create_shoppers,
    inventory_of,
    put_in_carts,
    sql,
)
from harness.flows import checkout
from ops.bounded import bounded

BUYERS = 1000
USES = 50
AT_ONCE = 200
PRICE = Decimal("25.00")


async def test_a_rush_on_a_capped_code_redeems_exactly_its_cap(
    api: httpx.AsyncClient, clients: Clients
) -> None:
    code = await create_discount_code(clients, redemption_cap=USES)
    product = await create_product(clients, price=PRICE, stock=BUYERS, cached_stock=BUYERS)
    buyers = await create_shoppers(clients, BUYERS)
    await put_in_carts(clients, buyers, product, 1)

    started = time.monotonic()
    responses = await bounded(
        [checkout(api, buyer, [(product, 1, PRICE)], discountCode=code) for buyer in buyers],
        AT_ONCE,
    )
    elapsed = time.monotonic() - started

    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == USES, f"{statuses.count(201)} orders for {USES} uses"
    assert statuses.count(409) == BUYERS - USES
    refusals = {
        (e["code"], e["reason"], e["discountCode"])
        for e in (r.json()["error"] for r in responses if r.status_code == 409)
    }
    assert refusals == {("discount_not_applicable", "used_up", code)}

    [row] = await sql(clients, "SELECT redeemed FROM discount_codes WHERE code = %s", code)
    assert row["redeemed"] == USES
    [redeemed] = await sql(
        clients,
        "SELECT count(*) AS n, count(DISTINCT user_id) AS buyers FROM discount_redemptions"
        " WHERE code = %s AND status = 'REDEEMED'",
        code,
    )
    assert (redeemed["n"], redeemed["buyers"]) == (USES, USES)
    placed = {r.json()["orderId"] for r in responses if r.status_code == 201}
    discounted = await sql(
        clients,
        "SELECT order_id::text, total_amount FROM orders WHERE discount_code = %s",
        code,
    )
    assert {o["order_id"] for o in discounted} == placed
    assert {o["total_amount"] for o in discounted} == {Decimal("22.50")}
    stock = await inventory_of(clients, product)
    assert (stock["available_qty"], stock["reserved_qty"]) == (BUYERS - USES, USES)
    print(f"code rush: {BUYERS} checkouts for {USES} uses in {elapsed:.1f}s")
