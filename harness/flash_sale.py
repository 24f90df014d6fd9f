"""A flash sale driven through the storefront's HTTP API, as shoppers and an operator would.

An operator lists a product and stocks it through the admin API; every buyer puts one unit in
the cart; then all check out at once, from many loopback addresses (so the per-IP limiter sees
many clients). Shared by the black-box test (which checks the outcome) and the benchmark
(which times it).
"""

import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import httpx

from harness.factories import Shopper
from harness.loopback import KEEPALIVE_EXPIRY_SECONDS, clients_by_address
from ops.polling import until

PRICE = 1199.0
ADD_TO_CART_IN_FLIGHT = 200
KEEP_IDLE = httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS)
T = TypeVar("T")


DROPPED = 0
"""The status of a checkout that got no HTTP answer (the connection failed or was dropped)."""


@dataclass(frozen=True)
class Answer:
    """One buyer's checkout: status (``DROPPED``: none), error code (for a 4xx/5xx, or the
    transport error's name) and seconds taken."""

    status: int
    code: str | None
    seconds: float


@dataclass(frozen=True)
class SaleResult:
    answers: list[Answer]
    wall_seconds: float

    def seconds_of(self, status: int) -> list[float]:
        return [answer.seconds for answer in self.answers if answer.status == status]

    def summary(self) -> str:
        refusals, wins = self.seconds_of(409), self.seconds_of(201)
        return (
            f"{len(self.answers)} buyers in {self.wall_seconds:.2f} s;"
            f" refusals {len(refusals)} ({latency(refusals)});"
            f" accepted {len(wins)} ({latency(wins)})"
        )


def latency(seconds: Sequence[float]) -> str:
    if not seconds:
        return "none"
    return f"median {statistics.median(seconds) * 1000:.0f} ms, p99 {p99(seconds) * 1000:.0f} ms"


def p99(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def flash_product_id() -> str:
    return f"prod_flash_{uuid.uuid4().hex[:10]}"


async def list_and_stock(
    operator: httpx.AsyncClient, admin: Shopper, product_id: str, units: int
) -> None:
    """The operator lists the product and sets its stock; waits until the page shows it."""
    listing = {
        "productId": product_id,
        "title": "Flash sale phone",
        "category": "Phones",
        "brand": "shopstream tests",
        "price": PRICE,
    }
    created = await operator.post("/v1/admin/products", json=listing, headers=admin.headers)
    created.raise_for_status()
    stocked = await operator.put(
        f"/v1/admin/inventory/{product_id}", json={"availableQty": units}, headers=admin.headers
    )
    stocked.raise_for_status()
    await seconds_until_shown(operator, product_id, units, 30)


async def run_sale(
    base_url: str, buyers: Sequence[Shopper], product_id: str, addresses: int
) -> SaleResult:
    """Every buyer adds one unit, then all check out at once; each buyer's final answer is
    timed from the first try. A request the storefront shed (503 ``overloaded``: nothing was
    done) is sent again after its ``Retry-After``, as a shop's client would."""
    connections_each = max(1, len(buyers) // addresses)
    async with clients_by_address(
        base_url, addresses, connections_each, retry_shed=True
    ) as by_address:
        await bounded(
            [add_to_cart(by_address[i % addresses], b, product_id) for i, b in enumerate(buyers)],
            ADD_TO_CART_IN_FLIGHT,
        )
    async with clients_by_address(
        base_url, addresses, connections_each, retry_shed=True
    ) as by_address:
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(checkout(by_address[i % addresses], b, product_id) for i, b in enumerate(buyers))
        )
        return SaleResult(list(answers), time.perf_counter() - started)


async def retry_refused(
    base_url: str, buyers: Sequence[Shopper], product_id: str, addresses: int, in_flight: int
) -> SaleResult:
    """The refused buyers try again, ``in_flight`` at a time, the product sold out: the
    refusal path alone, at a steady load rather than one burst."""
    connections_each = max(1, in_flight // addresses + 1)
    async with clients_by_address(base_url, addresses, connections_each) as by_address:
        started = time.perf_counter()
        answers = await bounded(
            [checkout(by_address[i % addresses], b, product_id) for i, b in enumerate(buyers)],
            in_flight,
        )
        return SaleResult(answers, time.perf_counter() - started)


async def bounded(works: list[Awaitable[T]], limit: int) -> list[T]:
    gate = asyncio.Semaphore(limit)

    async def one(work: Awaitable[T]) -> T:
        async with gate:
            return await work

    return await asyncio.gather(*(one(work) for work in works))


async def add_to_cart(client: httpx.AsyncClient, buyer: Shopper, product_id: str) -> None:
    body = {"productId": product_id, "quantity": 1}
    response = await client.post("/v1/cart/add", json=body, headers=buyer.headers)
    response.raise_for_status()


async def checkout(client: httpx.AsyncClient, buyer: Shopper, product_id: str) -> Answer:
    """A buyer's checkout with an Idempotency-Key, as a storefront sends it."""
    body = {
        "cartId": str(buyer.cart_id),
        "products": [{"productId": product_id, "quantity": 1, "price": PRICE}],
    }
    headers = {**buyer.headers, "Idempotency-Key": f"flash-{buyer.user_id}"}
    started = time.perf_counter()
    try:
        response = await client.post("/v1/checkout", json=body, headers=headers)
    except httpx.TransportError as exc:
        return Answer(DROPPED, type(exc).__name__, time.perf_counter() - started)
    took = time.perf_counter() - started
    code = response.json().get("error", {}).get("code") if response.status_code >= 400 else None
    return Answer(response.status_code, code, took)


async def available(operator: httpx.AsyncClient, product_id: str) -> int:
    response = await operator.get(f"/v1/products/{product_id}")
    response.raise_for_status()
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
