"""Product pages per second through the running storefront, beside the engine reads a page
needs, all at the same concurrency in one run.

Floors, from this one Python process: the page's two Redis reads (the cached product and the
stock mirror, one pipeline) and, for comparison, the catalog read pages made before the
product cache (a FerretDB ``find_one``). Storefront requests come from 64 loopback addresses in
turn (the per-IP rate limit applies to each). Random products of the seeded catalog.

    python -m bench.product_page --requests 5000 --in-flight 16
"""

import argparse
import asyncio
import itertools
import random
from collections.abc import Awaitable, Callable

from adapters.catalog_store import find_product
from adapters.connections import open_clients
from adapters.product_cache import ProductCache
from adapters.stock_cache import StockKeys
from bench.lanes import timed_lanes
from config import get_settings
from harness.flash_sale import p99
from harness.loopback import clients_by_address
from ops.demo.catalog import product_id

SHOPPERS = 64


async def rate(
    read: Callable[[str], Awaitable[object]], ids: list[str], in_flight: int
) -> tuple[float, float]:
    """(reads per second, p99 seconds) of ``read`` over ``ids``, ``in_flight`` at a time."""
    wall, timings = await timed_lanes(read, ids, in_flight)
    return len(ids) / wall, p99(timings)


async def run(args: argparse.Namespace) -> None:
    settings = get_settings()
    base_url = args.base_url or f"http://{settings.api_host}:{settings.api_port}"
    rng = random.Random(args.random_seed)
    ids = [
        product_id(args.id_prefix, rng.randint(1, args.catalog_size)) for _ in range(args.requests)
    ]
    stock = StockKeys()
    async with (
        open_clients(settings, pool_size=args.in_flight) as clients,
        clients_by_address(base_url, SHOPPERS, connections_each=2, timeout=30) as shoppers,
    ):
        cache = ProductCache(clients.redis)
        turns = itertools.cycle(shoppers)

        async def redis_reads(pid: str) -> None:
            async with clients.redis.pipeline(transaction=False) as pipe:
                pipe.hget(cache.key(pid), "doc").get(stock.available(pid))
                await pipe.execute()

        async def catalog_read(pid: str) -> None:
            await find_product(clients.mongo, pid)

        async def page(pid: str) -> None:
            (await next(turns).get(f"/v1/products/{pid}")).raise_for_status()

        reads = {
            "Redis: cached product + stock": redis_reads,
            "FerretDB: find_one (before)": catalog_read,
            "storefront product page": page,
        }
        for read in reads.values():  # warm every path on a few products first
            await rate(read, ids[:100], args.in_flight)
        print(f"product page, {args.requests} random products, {args.in_flight} in flight")
        for name, read in reads.items():
            per_second, slowest = await rate(read, ids, args.in_flight)
            print(f"  {name:<32} {per_second:8,.0f}/s  p99 {slowest * 1000:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--base-url", help="the storefront (default: SHOP_API_HOST/PORT)")
    parser.add_argument("--catalog-size", type=int, default=10_000, help="seeded product count")
    parser.add_argument("--id-prefix", default="prod_", help="product id prefix of the seed")
    parser.add_argument("--random-seed", type=int, default=3)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
