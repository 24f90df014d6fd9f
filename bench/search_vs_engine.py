"""Search and suggest through the storefront beside the same bodies sent straight to
Elasticsearch, in one run: what the API adds on top of the engine.

Each request draws a judged shopper query (bench/search_judgments.toml), sometimes with a
brand, category or sort; the engine's floor gets exactly the body the storefront builds
(``api.search``), over plain HTTP with a pooled client, so the difference is our layer:
validation, analysis, the route, JSON in and out, uvicorn. Storefront requests come from 64
loopback addresses in turn (the per-IP rate limit applies to each). Concurrency 1 measures latency,
16 the answer under load; every request is timed from send to the last byte.

    python -m bench.search_vs_engine --requests 1000
"""

import argparse
import asyncio
import itertools
import random
import statistics
from collections.abc import Awaitable, Callable

import httpx

from api.models.catalog import SearchParams, SuggestParams
from api.search import build_search_body, suggest_body
from bench.lanes import timed_lanes
from bench.search_quality import load_judgments
from config import get_settings
from harness.loopback import clients_by_address

Send = Callable[[dict], Awaitable[None]]
SHOPPERS = 64
"""Loopback client addresses taking turns, so the per-IP rate limit sees many shoppers."""
BRANDS = ("Apple", "Samsung", "Sony", "Nike", "Dyson", "LEGO")
SORTS = ("relevance", "relevance", "relevance", "price-asc", "rating", "newest")


def search_query(rng: random.Random, terms: list[str]) -> dict:
    query: dict = {"term": rng.choice(terms), "size": 20, "sort": rng.choice(SORTS)}
    if rng.random() < 0.2:
        query["brand"] = rng.sample(BRANDS, 2)
    if rng.random() < 0.2:
        query |= {"minPrice": 10, "maxPrice": 500, "inStock": True}
    return query


def suggest_query(rng: random.Random, terms: list[str]) -> dict:
    term = rng.choice(terms)
    return {"prefix": term[: rng.randint(2, max(2, min(len(term), 6)))]}


async def timed(send: Send, queries: list[dict], in_flight: int) -> list[float]:
    """Milliseconds per request, ``in_flight`` requests at a time."""
    _, timings = await timed_lanes(send, queries, in_flight)
    return [seconds * 1000 for seconds in timings]


def line(name: str, timings: list[float], floor: list[float] | None = None) -> str:
    p50, p99 = statistics.median(timings), statistics.quantiles(timings, n=100)[98]
    ratio = f"  p99 {p99 / statistics.quantiles(floor, n=100)[98]:.2f}x the engine" if floor else ""
    return f"  {name:<28} median {p50:6.1f} ms  p99 {p99:6.1f} ms{ratio}"


async def run(args: argparse.Namespace) -> None:
    settings = get_settings()
    terms = [judgment.term for judgment in load_judgments()]
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with (
        clients_by_address(args.base_url, SHOPPERS, connections_each=2) as shoppers,
        httpx.AsyncClient(base_url=settings.elasticsearch_url, timeout=30, limits=limits) as es,
    ):
        search_url = f"/{settings.search_alias}/_search"
        turns = itertools.cycle(shoppers)

        async def through_api(path: str, query: dict) -> None:
            (await next(turns).get(path, params=query)).raise_for_status()

        async def to_engine(body: dict) -> None:
            (await es.post(search_url, json=body)).raise_for_status()

        routes = {
            "search": (
                search_query,
                lambda q: through_api("/v1/products/search", q),
                lambda q: to_engine(build_search_body(SearchParams.model_validate(q))),
            ),
            "suggest": (
                suggest_query,
                lambda q: through_api("/v1/products/suggest", q),
                lambda q: to_engine(suggest_body(SuggestParams.model_validate(q))),
            ),
        }
        for name, (make, api_send, engine_send) in routes.items():
            for in_flight in (1, 16):
                rng = random.Random(args.random_seed)
                warm = [make(rng, terms) for _ in range(args.warmup)]
                queries = [make(rng, terms) for _ in range(args.requests)]
                for send in (engine_send, api_send):
                    await timed(send, warm, in_flight)
                engine = await timed(engine_send, queries, in_flight)
                storefront = await timed(api_send, queries, in_flight)
                print(f"{name}, {in_flight} in flight, {args.requests} requests")
                print(line("Elasticsearch (same body)", engine))
                print(line("storefront API", storefront, engine))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="a running storefront")
    parser.add_argument("--requests", type=int, default=1000, help="measured requests per run")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured requests first")
    parser.add_argument("--random-seed", type=int, default=7)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
