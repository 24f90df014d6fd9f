"""Checkouts per second on distinct products through the running storefront, beside the
Postgres floor measured in the same run.

- **Floor**: the reservation's core statement, a conditional move of one unit from available
  to reserved (``... WHERE available_qty >= 1``) in its own transaction, on distinct rows,
  from ``--connections`` connections of this process for ``--seconds``.
- **Saturation**: checkouts with ``--in-flight`` at a time for ``--seconds``; each buyer has its
  own cart holding one unit of one of ``--products`` products (so rows rarely collide).
- **The design's pace**: 10 checkouts a second for ``--seconds``, each timed.

Storefront requests come from 250 loopback addresses in turn. Uses its own products and
accounts; the orders stay RESERVED and expire like abandoned checkouts.

    python -m bench.checkout_rate --seconds 60
"""

import argparse
import asyncio
import itertools
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal

import httpx

from adapters.connections import Clients, open_clients
from config import get_settings
from harness.factories import Shopper, create_product, create_shoppers, forget_test_products
from harness.flash_sale import p99
from harness.flows import checkout
from harness.loopback import clients_by_address

PRICE = Decimal("19.99")
ADDRESSES = 250
PACE_PER_SECOND = 10
DECREMENT = """
UPDATE inventory SET available_qty = available_qty - 1, reserved_qty = reserved_qty + 1
WHERE product_id = %s AND available_qty >= 1
"""
UNDO = """
UPDATE inventory SET available_qty = available_qty + reserved_qty, reserved_qty = 0
WHERE product_id = ANY(%s)
"""


async def postgres_floor(
    clients: Clients, products: list[str], connections: int, seconds: float
) -> float:
    """Committed decrements per second (moved to reserved, as a reservation does, since
    stock is conserved; moved back afterwards)."""
    done = 0
    deadline = time.perf_counter() + seconds
    rows = itertools.cycle(products)

    async def lane() -> None:
        nonlocal done
        async with clients.pg.connection() as conn:
            while time.perf_counter() < deadline:
                async with conn.transaction():
                    await conn.execute(DECREMENT, (next(rows),))
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(connections)))
    rate = done / (time.perf_counter() - started)
    async with clients.pg.connection() as conn:
        await conn.execute(UNDO, (products,))
    return rate


class Buyers:
    """Signed-in buyers, each with one unit of a product in the cart, made ahead in batches."""

    def __init__(self, clients: Clients, products: list[str]) -> None:
        self.clients = clients
        self.products = itertools.cycle(products)
        self.ready: list[tuple[Shopper, str]] = []

    async def make(self, count: int) -> None:
        shoppers = await create_shoppers(self.clients, count)
        picks = [(shopper, next(self.products)) for shopper in shoppers]
        async with self.clients.pg.connection() as conn, conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (%s, %s, 1)",
                [(shopper.cart_id, product) for shopper, product in picks],
            )
        self.ready += picks

    def __iter__(self) -> Iterator[tuple[Shopper, str]]:
        while self.ready:
            yield self.ready.pop()


def buy(turns: Iterator[httpx.AsyncClient]) -> Callable[[Shopper, str], Awaitable[float]]:
    async def one(shopper: Shopper, product: str) -> float:
        started = time.perf_counter()
        response = await checkout(next(turns), shopper, [(product, 1, PRICE)])
        took = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"checkout failed: {response.status_code} {response.text}")
        return took

    return one


async def saturated(
    one: Callable[[Shopper, str], Awaitable[float]], buyers: Buyers, in_flight: int, seconds: float
) -> tuple[float, list[float]]:
    """(checkouts per second, timings) with ``in_flight`` at a time until ``seconds`` pass."""
    timings: list[float] = []
    deadline = time.perf_counter() + seconds
    queue = iter(buyers)

    async def lane() -> None:
        for shopper, product in queue:
            timings.append(await one(shopper, product))
            if time.perf_counter() >= deadline:
                return

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(in_flight)))
    return len(timings) / (time.perf_counter() - started), timings


async def paced(
    one: Callable[[Shopper, str], Awaitable[float]], buyers: Buyers, seconds: float
) -> list[float]:
    """Timings of checkouts started ``PACE_PER_SECOND`` times a second for ``seconds``."""
    queue = iter(buyers)
    started = time.perf_counter()
    launched = []
    for n in range(int(seconds * PACE_PER_SECOND)):
        delay = started + n / PACE_PER_SECOND - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)  # the pace itself, not a synchronisation
        launched.append(asyncio.create_task(one(*next(queue))))
    return list(await asyncio.gather(*launched))


def line(name: str, timings: list[float]) -> str:
    median, slowest = statistics.median(timings) * 1000, p99(timings) * 1000
    return f"  {name:<34} n={len(timings):<6} median {median:6.1f} ms  p99 {slowest:7.1f} ms"


async def run(args: argparse.Namespace) -> None:
    settings = get_settings()
    base_url = args.base_url or f"http://{settings.api_host}:{settings.api_port}"
    async with (
        open_clients(settings, pool_size=args.connections) as clients,
        clients_by_address(base_url, ADDRESSES, connections_each=2, timeout=30) as shoppers,
    ):
        products = [
            await create_product(clients, price=PRICE, stock=10**6, cached_stock=10**6)
            for _ in range(args.products)
        ]
        try:
            floor = await postgres_floor(clients, products, args.connections, args.seconds)
            buyers = Buyers(clients, products)
            expected = int(args.seconds * (floor + PACE_PER_SECOND)) + args.in_flight
            await buyers.make(expected)
            one = buy(itertools.cycle(shoppers))
            per_second, busy = await saturated(one, buyers, args.in_flight, args.seconds)
            steady = await paced(one, buyers, args.seconds)
        finally:
            await forget_test_products(clients)
    print(f"checkout on {args.products} distinct products, {args.seconds:.0f} s per phase")
    print(f"  Postgres floor ({args.connections} connections): {floor:,.0f} decrements/s")
    print(
        f"  storefront at saturation ({args.in_flight} in flight): {per_second:,.0f} checkouts/s,"
        f" {per_second / floor:.0%} of the floor"
    )
    print(line("at saturation", busy))
    print(line(f"at {PACE_PER_SECOND}/s (the design's pace)", steady))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--connections", type=int, default=20, help="for the Postgres floor")
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--base-url", help="the storefront (default: SHOP_API_HOST/PORT)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
