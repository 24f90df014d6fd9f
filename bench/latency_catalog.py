"""Median and p99 latency of catalog search and product pages on a seeded catalog.

Requests go one at a time (latency, not throughput). By default the app runs in this
process against the engines named by the settings (``SHOP_*`` environment); with
``--base-url`` a running server is measured instead (HTTP and uvicorn included).

    python bench/latency_catalog.py --requests 500
    python bench/latency_catalog.py --base-url http://127.0.0.1:8000
"""

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

from config import get_settings
from harness.inprocess import in_process_api
from ops.demo.catalog import product_id

TERMS = (
    "iphone",
    "iPhon",
    "iphnoe",
    "samsung galaxy",
    "headphones",
    "wireless earbuds",
    "laptop 16gb",
    "lego star wars",
    "coffee",
    "running shoes",
    "air fryer",
    "",
)
CATEGORIES = (None, None, "Phones", "Laptops", "Electronics", "Books", "Home & Kitchen")

Request = Callable[[random.Random], tuple[str, dict]]


def search_request(rng: random.Random) -> tuple[str, dict]:
    query: dict = {"term": rng.choice(TERMS), "size": 20, "page": rng.choice((1, 1, 1, 2, 5))}
    if category := rng.choice(CATEGORIES):
        query["category"] = category
    if rng.random() < 0.3:
        query |= {"minPrice": 10, "maxPrice": rng.choice((50, 200, 1000))}
    if rng.random() < 0.3:
        query |= {"minRating": 4, "inStock": "true"}
    return "/v1/products/search", query


def product_request(catalog_size: int, id_prefix: str) -> Request:
    def request(rng: random.Random) -> tuple[str, dict]:
        return f"/v1/products/{product_id(id_prefix, rng.randint(1, catalog_size))}", {}

    return request


@asynccontextmanager
async def client_for(base_url: str | None) -> AsyncIterator[httpx.AsyncClient]:
    if base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
            yield client
        return
    async with in_process_api(get_settings()) as (_, client):
        yield client


async def measure(
    client: httpx.AsyncClient, request: Request, count: int, random_seed: int
) -> list[float]:
    rng = random.Random(random_seed)
    timings = []
    for _ in range(count):
        path, query = request(rng)
        started = time.perf_counter()
        response = await client.get(path, params=query)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return timings


def summary(name: str, timings: list[float]) -> str:
    p99 = statistics.quantiles(timings, n=100)[98]
    return (
        f"{name:<14} n={len(timings):<5} median={statistics.median(timings):7.1f} ms"
        f"  p99={p99:7.1f} ms  max={max(timings):7.1f} ms"
    )


async def main(args: argparse.Namespace) -> None:
    workloads = {
        "search": search_request,
        "product page": product_request(args.catalog_size, args.id_prefix),
    }
    async with client_for(args.base_url) as client:
        for name, request in workloads.items():
            await measure(client, request, args.warmup, random_seed=1)
            print(summary(name, await measure(client, request, args.requests, random_seed=2)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured requests first")
    parser.add_argument("--base-url", help="measure a running server instead of in-process")
    parser.add_argument("--catalog-size", type=int, default=10_000, help="seeded product count")
    parser.add_argument(
        "--id-prefix", default="prod_", help="product id prefix used by shopctl seed"
    )
    asyncio.run(main(parser.parse_args()))
