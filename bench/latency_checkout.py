"""Checkout latency on the real engines: ``python -m bench.latency_checkout [--sequential N]``.

Drives the in-process app (no network hop, so the numbers are the API's own cost plus the
engines') with one fresh buyer per checkout: first N checkouts one after another, then M with a
fixed number in flight. Prints median, p95 and p99 per phase. Writes uniquely named data only.
"""

import argparse
import asyncio
import statistics
import time
from decimal import Decimal

import httpx

from adapters.migrations import apply_migrations
from config import get_settings
from harness.factories import (
    Shopper,
    create_product,
    create_shoppers,
    forget_test_products,
    put_in_carts,
)
from harness.flows import checkout
from harness.inprocess import in_process_api

PRICE = Decimal("49.99")
WARM_UP = 3


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95, p99 = (statistics.quantiles(ms, n=100)[i] for i in (94, 98))
    return (
        f"{name:<28} n={len(ms):<5} median={statistics.median(ms):7.1f} ms"
        f"  p95={p95:7.1f} ms  p99={p99:7.1f} ms  max={ms[-1]:7.1f} ms"
    )


async def timed_checkout(api: httpx.AsyncClient, buyer: Shopper, product: str) -> float:
    started = time.perf_counter()
    response = await checkout(api, buyer, [(product, 1, PRICE)])
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"checkout failed: {response.status_code} {response.text}")
    return elapsed


async def run(sequential: int, concurrent: int, in_flight: int) -> None:
    settings = get_settings().model_copy(
        update={"rate_limit_per_ip": 10**9, "rate_limit_per_user": 10**9}
    )
    apply_migrations(settings)
    async with in_process_api(settings) as (app, api):
        clients = app.state.services.engines
        product = await create_product(clients, price=PRICE, stock=10**6, cached_stock=10**6)
        buyers = await create_shoppers(clients, WARM_UP + sequential + concurrent)
        await put_in_carts(clients, buyers, product, 1)
        warm_up, one_by_one, together = (
            buyers[:WARM_UP],
            buyers[WARM_UP : WARM_UP + sequential],
            buyers[WARM_UP + sequential :],
        )

        for buyer in warm_up:
            await timed_checkout(api, buyer, product)
        print(summary("sequential", [await timed_checkout(api, b, product) for b in one_by_one]))

        slots = asyncio.Semaphore(in_flight)

        async def in_a_slot(buyer: Shopper) -> float:
            async with slots:
                return await timed_checkout(api, buyer, product)

        started = time.perf_counter()
        latencies = await asyncio.gather(*(in_a_slot(b) for b in together))
        wall = time.perf_counter() - started
        print(summary(f"concurrent ({in_flight} in flight)", latencies))
        print(f"{'throughput':<28} {len(latencies) / wall:.0f} checkouts/s")
        await forget_test_products(clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sequential", type=int, default=300)
    parser.add_argument("--concurrent", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=32)
    args = parser.parse_args()
    asyncio.run(run(args.sequential, args.concurrent, args.in_flight))


if __name__ == "__main__":
    main()
