"""CDC freshness: inventory commit in Postgres -> visible in Redis and in Elasticsearch search.

Runs a stream worker of its own (harness/streams_worker.py) on a catalog database of its own,
filled with ``--catalog`` generated products (the change feed's FerretDB cost grows with the
collection). After the feed's initial snapshot has reached search, it commits ``--changes``
inventory updates, one every ``--interval`` seconds, round-robin over ``--hot`` products,
and times each until the Redis stock mirror and a search hit's ``availableQty`` show it.

    python bench/cdc_freshness.py --changes 200 --catalog 10000
"""

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from adapters import inventory_store
from adapters.connections import Clients, open_clients
from adapters.migrations import apply_migrations
from adapters.stock_cache import StockKeys, StockMirror
from config import Settings, get_settings
from domain.inventory import reserve, sell
from harness.streams_worker import IsolatedWorker
from ops.demo.catalog import generate_catalog
from ops.demo.seed import load_products
from ops.polling import until

STOCK = 100_000
POLL_SECONDS = 0.01


@dataclass
class Change:
    product_id: str
    available: int
    committed: float
    seen: dict[str, float] = field(default_factory=dict)


async def main(args: argparse.Namespace) -> None:
    settings = get_settings()
    apply_migrations(settings)
    tag = f"bench{uuid.uuid4().hex[:6]}"
    home = Path(tempfile.mkdtemp(prefix=f"{tag}-"))
    worker = IsolatedWorker.create(
        settings, tag, home, catalog_feed_interval_seconds=args.feed_interval
    )
    products = list(generate_catalog(args.catalog, 7, f"{tag}_"))
    hot = [p.product_id for p in products[: args.hot]]
    async with open_clients(worker.settings, pool_size=4) as clients:
        try:
            await load_products(clients.mongo, products, report=lambda _: None)  # batched
            await _stock(clients, hot)
            worker.skip_backlog()
            started = time.monotonic()
            await asyncio.to_thread(worker.start)
            await _wait_indexed(clients, worker.settings.search_alias, len(products))
            print(
                f"snapshot of {len(products)} products searchable after "
                f"{time.monotonic() - started:.1f}s (worker start included)"
            )
            changes = await _run(clients, worker.settings.search_alias, hot, args)
        finally:
            await asyncio.to_thread(worker.stop)
            await _unstock(clients, hot)
            await asyncio.to_thread(worker.remove_data)
    _report(changes, args)


async def _stock(clients: Clients, product_ids: list[str]) -> None:
    async with clients.pg.connection() as conn:
        await inventory_store.add_levels(conn, dict.fromkeys(product_ids, STOCK))


async def _unstock(clients: Clients, product_ids: list[str]) -> None:
    async with clients.pg.connection() as conn:
        await inventory_store.remove_levels(conn, product_ids)
    keys = StockKeys()
    await clients.redis.delete(
        *[k for p in product_ids for k in (keys.available(p), keys.version(p))]
    )


async def _wait_indexed(clients: Clients, alias: str, count: int, timeout: float = 600) -> None:
    async def indexed() -> int:
        if not await clients.es.indices.exists_alias(name=alias):
            return 0
        await clients.es.indices.refresh(index=alias)
        return (await clients.es.count(index=alias))["count"]

    await until(
        indexed,
        timeout=timeout,
        what=f"the snapshot's {count} products in search",
        accept=lambda seen: seen >= count,
        interval=1,
    )


async def _run(
    clients: Clients, alias: str, hot: list[str], args: argparse.Namespace
) -> list[Change]:
    changes: list[Change] = []
    all_committed = asyncio.Event()
    watching = asyncio.create_task(_watch(clients, alias, changes, all_committed, args.timeout))
    for i in range(args.changes):
        product_id = hot[i % len(hot)]
        async with clients.pg.connection() as conn:
            await inventory_store.move(conn, [reserve(product_id, 1), sell(product_id, 1)])
            available = await inventory_store.available(conn, product_id)
        changes.append(Change(product_id, available, time.monotonic()))
        await asyncio.sleep(args.interval)
    all_committed.set()
    await watching
    return changes


async def _watch(
    clients: Clients,
    alias: str,
    changes: list[Change],
    all_committed: asyncio.Event,
    timeout: float,
) -> None:
    """Poll Redis and search for every change not seen yet (and not older than ``timeout``)."""
    while True:
        now = time.monotonic()
        pending = [c for c in changes if len(c.seen) < 2 and now - c.committed <= timeout]
        if all_committed.is_set() and not pending:
            return
        if pending:
            await _look(clients, alias, pending)
        await asyncio.sleep(POLL_SECONDS)


async def _look(clients: Clients, alias: str, pending: list[Change]) -> None:
    ids = sorted({c.product_id for c in pending})
    cached = await StockMirror(clients.redis).read(ids)
    found = await clients.es.search(
        index=alias, query={"terms": {"productId": ids}}, size=len(ids), source=["availableQty"]
    )
    searchable = {h["_id"]: h["_source"]["availableQty"] for h in found["hits"]["hits"]}
    now = time.monotonic()
    for change in pending:
        # Stock only goes down here: a figure at or below the change's shows it (or a later one).
        for store, figure in (
            ("redis", cached[change.product_id]),
            ("search", searchable.get(change.product_id)),
        ):
            if store not in change.seen and figure is not None and int(figure) <= change.available:
                change.seen[store] = now - change.committed


def _report(changes: list[Change], args: argparse.Namespace) -> None:
    print(
        f"{len(changes)} inventory changes, one every {args.interval * 1000:.0f} ms, "
        f"over {args.hot} products; catalog of {args.catalog} products"
    )
    for store in ("redis", "search"):
        timings = sorted(c.seen[store] * 1000 for c in changes if store in c.seen)
        missing = len(changes) - len(timings)
        p99 = statistics.quantiles(timings, n=100)[98]
        print(
            f"{store:<7} median={statistics.median(timings):7.1f} ms  p99={p99:7.1f} ms  "
            f"max={timings[-1]:7.1f} ms  not seen within {args.timeout:.0f}s: {missing}"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200, help="inventory updates to time")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between updates")
    parser.add_argument("--hot", type=int, default=50, help="products the updates touch")
    parser.add_argument("--catalog", type=int, default=10_000, help="products in the catalog")
    parser.add_argument(
        "--feed-interval",
        type=float,
        default=Settings.model_fields["catalog_feed_interval_seconds"].default,
        help="change feed poll (s); default: the setting's",
    )
    parser.add_argument("--timeout", type=float, default=30, help="give up on a change after")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
