"""1000 buyers, 5 units: exactly 5 orders, whatever the Redis stock cache says.

Postgres is the arbiter. The cached count only decides how early the losers are turned away:
accurate (5) sheds 995 in Redis; too high (1000) sends all to Postgres, which still reserves
exactly 5. (A cache miss takes the same path as too high: see test_stock_gate.py.)
"""

import asyncio
import time
from decimal import Decimal

import httpx
import pytest

from adapters.connections import Clients
from harness.factories import (
    create_product,
    create_shoppers,
    inventory_of,
    put_in_carts,
    sql,
)
from harness.flows import checkout

BUYERS = 1000
UNITS = 5
PRICE = Decimal("1199.00")


@pytest.mark.parametrize("cached_stock", [UNITS, 1000], ids=["accurate", "too-high"])
async def test_flash_sale_never_oversells(
    api: httpx.AsyncClient, clients: Clients, cached_stock: int
) -> None:
    product = await create_product(clients, price=PRICE, stock=UNITS, cached_stock=cached_stock)
    buyers = await create_shoppers(clients, BUYERS)
    await put_in_carts(clients, buyers, product, 1)

    started = time.monotonic()
    responses = await asyncio.gather(
        *(checkout(api, buyer, [(product, 1, PRICE)]) for buyer in buyers)
    )
    elapsed = time.monotonic() - started

    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == UNITS, f"{statuses.count(201)} orders for {UNITS} units"
    assert statuses.count(409) == BUYERS - UNITS
    refusals = [r.json()["error"] for r in responses if r.status_code == 409]
    assert {(e["code"], e["productId"]) for e in refusals} == {("out_of_stock", product)}

    stock = await inventory_of(clients, product)
    assert (stock["available_qty"], stock["reserved_qty"]) == (0, UNITS)
    assert stock["available_qty"] + stock["reserved_qty"] == UNITS
    [held] = await sql(
        clients,
        "SELECT count(*) AS n FROM orders o JOIN reservations r USING (order_id)"
        " WHERE r.product_id = %s AND o.status = 'RESERVED' AND r.status = 'HELD'",
        product,
    )
    assert held["n"] == UNITS
    print(f"flash sale ({cached_stock=}): {BUYERS} checkouts in {elapsed:.1f}s")
