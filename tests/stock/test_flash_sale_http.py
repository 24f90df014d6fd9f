"""A flash sale seen from outside: 2000 signed-in buyers race for 100 units through HTTP.

Black box against the running stack (`make up`): the storefront API, CDC and the catalog
worker. An operator lists the product and sets 100 units through the admin API; every buyer
adds one to the cart through the API, then all check out at once, from 250 loopback addresses
(so the per-IP limiter sees many clients, as it would in production; a request the storefront
sheds is sent again after its Retry-After, as a shop's client would). Exactly 100 win, every
other answer is a 409 ``out_of_stock``, nothing is a 5xx and no connection drops; the product
page shows 0 within 2 s of the last answer and still 0 35 s later, and the stock audit
passes for the product.
"""

import asyncio
import time

import httpx
import pytest

from adapters import inventory_store
from adapters.connections import Clients
from config import Settings
from harness.factories import create_shoppers
from harness.flash_sale import (
    DROPPED,
    KEEP_IDLE,
    available,
    flash_product_id,
    list_and_stock,
    run_sale,
    seconds_until_shown,
)
from ops.audit import Scope, audit

pytestmark = pytest.mark.engines

BUYERS = 2000
UNITS = 100
ADDRESSES = 250  # loopback client addresses, 8 buyers each
SHOWN_WITHIN_SECONDS = 2.0
HELD_SECONDS = 35.0
"""Longer than an admission at the gate lives (``SHOP_GATE_ADMISSION_TTL_SECONDS``, 30 s): no
admission ending, nor anything the pipeline still had in flight, may put units back."""


async def test_2000_buyers_for_100_units(running_stack: Clients, settings: Settings) -> None:
    stack = running_stack
    base_url = f"http://{settings.api_host}:{settings.api_port}"
    admin, *_ = await create_shoppers(stack, 1, role="admin")
    buyers = await create_shoppers(stack, BUYERS)
    product_id = flash_product_id()
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=KEEP_IDLE) as operator:
        await list_and_stock(operator, admin, product_id, UNITS)
        try:
            sale = await run_sale(base_url, buyers, product_id, ADDRESSES)

            statuses = [answer.status for answer in sale.answers]
            assert [a.code for a in sale.answers if a.status == DROPPED] == []
            assert [s for s in statuses if s >= 500] == []
            assert statuses.count(201) == UNITS, sorted(set(statuses))
            assert statuses.count(409) == BUYERS - UNITS, sorted(set(statuses))
            assert {a.code for a in sale.answers if a.status == 409} == {"out_of_stock"}
            print(f"\nflash sale: {sale.summary()}")

            shown_after = await seconds_until_shown(operator, product_id, 0, SHOWN_WITHIN_SECONDS)
            print(f"product page showed 0 {shown_after:.2f} s after the last answer")
            await stays_zero(operator, product_id, HELD_SECONDS)

            async with stack.pg.connection() as conn:
                [level] = await inventory_store.levels(conn, product_ids=[product_id])
            assert (level.available, level.reserved, level.sold, level.stocked) == (
                0,
                UNITS,
                0,
                UNITS,
            )
            checked = await audit(stack, Scope(settings.search_alias, product_prefix=product_id))
            assert checked.ok, checked.as_json()
        finally:
            await operator.delete(f"/v1/admin/products/{product_id}", headers=admin.headers)


async def stays_zero(operator: httpx.AsyncClient, product_id: str, seconds: float) -> None:
    """The sold-out figure holds: no late write puts units back (checked every second)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        assert await available(operator, product_id) == 0
        await asyncio.sleep(1)
