"""A flash sale seen from outside: 2000 signed-in buyers race for 100 units through HTTP.

Black box against the running stack (`make up`): the storefront API, CDC and the catalog
worker. An operator lists the product and sets 100 units through the admin API; every buyer
adds one to the cart through the API, then all check out at once, from 250 loopback addresses
(so the per-IP limiter sees many clients, as it would in production). Exactly 100 win, every
other answer is a 409 ``out_of_stock``, nothing is a 5xx; the product page shows 0 within 2 s
of the last answer and still 0 a minute later, and the stock audit passes for the product.
"""

import asyncio
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import TypeVar

import httpx
import pytest

from adapters import inventory_store
from adapters.connections import Clients, open_clients
from config import Settings
from harness.factories import Shopper, create_shoppers
from harness.loopback import KEEPALIVE_EXPIRY_SECONDS, clients_by_address
from ops.audit import Scope, audit
from ops.polling import until

pytestmark = pytest.mark.engines

BUYERS = 2000
UNITS = 100
ADDRESSES = 250  # loopback client addresses, 8 buyers each
PRICE = 1199.0
SHOWN_WITHIN_SECONDS = 2.0
HELD_SECONDS = 60.0
T = TypeVar("T")
KEEP_IDLE = httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS)


async def bounded(works: list[Awaitable[T]], limit: int) -> list[T]:
    gate = asyncio.Semaphore(limit)

    async def one(work: Awaitable[T]) -> T:
        async with gate:
            return await work

    return await asyncio.gather(*(one(work) for work in works))


@pytest.fixture(scope="module")
async def stack(
    settings: Settings, require_engine: Callable[[str], None]
) -> AsyncIterator[Clients]:
    """The stack's own engines and its running API (fails naming what is down)."""
    for engine in ("postgres", "redis", "kafka", "connect", "ferretdb", "elasticsearch", "api"):
        require_engine(engine)
    for role in ("streams-orders", "streams-catalog"):
        require_engine(role)
    async with open_clients(settings, pool_size=4) as clients:
        yield clients


async def test_2000_buyers_for_100_units(stack: Clients, settings: Settings) -> None:
    base_url = f"http://{settings.api_host}:{settings.api_port}"
    admin, *_ = await create_shoppers(stack, 1, role="admin")
    buyers = await create_shoppers(stack, BUYERS)
    product_id = f"prod_flash_{uuid.uuid4().hex[:10]}"
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=KEEP_IDLE) as operator:
        await list_and_stock(operator, admin, product_id)
        try:
            async with clients_by_address(base_url, ADDRESSES, BUYERS // ADDRESSES) as by_address:
                await bounded(
                    [
                        add_to_cart(by_address[i % ADDRESSES], b, product_id)
                        for i, b in enumerate(buyers)
                    ],
                    200,
                )
            async with clients_by_address(base_url, ADDRESSES, BUYERS // ADDRESSES) as by_address:
                started = time.perf_counter()
                answers = await asyncio.gather(
                    *(
                        checkout(by_address[i % ADDRESSES], b, product_id)
                        for i, b in enumerate(buyers)
                    )
                )
                wall = time.perf_counter() - started

            statuses = [status for status, _, _ in answers]
            assert [s for s in statuses if s >= 500] == []
            assert statuses.count(201) == UNITS, sorted(set(statuses))
            assert statuses.count(409) == BUYERS - UNITS, sorted(set(statuses))
            assert {code for status, code, _ in answers if status == 409} == {"out_of_stock"}
            report(answers, wall)

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


async def list_and_stock(operator: httpx.AsyncClient, admin: Shopper, product_id: str) -> None:
    listing = {
        "productId": product_id,
        "title": "Flash sale phone",
        "category": "Phones",
        "brand": "shopstream tests",
        "price": PRICE,
    }
    created = await operator.post("/v1/admin/products", json=listing, headers=admin.headers)
    assert created.status_code == 201, created.text
    stocked = await operator.put(
        f"/v1/admin/inventory/{product_id}", json={"availableQty": UNITS}, headers=admin.headers
    )
    assert stocked.status_code == 200, stocked.text
    await seconds_until_shown(operator, product_id, UNITS, 30)


async def add_to_cart(client: httpx.AsyncClient, buyer: Shopper, product_id: str) -> None:
    body = {"productId": product_id, "quantity": 1}
    response = await client.post("/v1/cart/add", json=body, headers=buyer.headers)
    assert response.status_code == 200, response.text


async def checkout(
    client: httpx.AsyncClient, buyer: Shopper, product_id: str
) -> tuple[int, str | None, float]:
    """(status, error code, seconds) of one buyer's checkout."""
    body = {
        "cartId": str(buyer.cart_id),
        "products": [{"productId": product_id, "quantity": 1, "price": PRICE}],
    }
    started = time.perf_counter()
    response = await client.post("/v1/checkout", json=body, headers=buyer.headers)
    took = time.perf_counter() - started
    code = response.json().get("error", {}).get("code") if response.status_code >= 400 else None
    return response.status_code, code, took


async def available(operator: httpx.AsyncClient, product_id: str) -> int:
    response = await operator.get(f"/v1/products/{product_id}")
    assert response.status_code == 200, response.text
    return response.json()["availableQty"]


async def seconds_until_shown(
    operator: httpx.AsyncClient, product_id: str, expected: int, timeout: float
) -> float:
    """How long until the product page shows ``expected`` units."""
    _, took = await until(
        partial(available, operator, product_id),
        timeout=timeout,
        what=f"the product page showing {expected} units",
        accept=lambda shown: shown == expected,
    )
    return took


async def stays_zero(operator: httpx.AsyncClient, product_id: str, seconds: float) -> None:
    """The sold-out figure holds: no late write puts units back (checked every second)."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        assert await available(operator, product_id) == 0
        await asyncio.sleep(1)


def report(answers: list[tuple[int, str | None, float]], wall: float) -> None:
    def ms(seconds: list[float]) -> str:
        ordered = sorted(s * 1000 for s in seconds)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return f"median {statistics.median(ordered):.0f} ms, p99 {p99:.0f} ms"

    refusals = [took for status, _, took in answers if status == 409]
    wins = [took for status, _, took in answers if status == 201]
    print(
        f"\nflash sale: {BUYERS} buyers, {UNITS} units, {wall:.2f} s wall;"
        f" refusals {ms(refusals)}; accepted {ms(wins)}"
    )
