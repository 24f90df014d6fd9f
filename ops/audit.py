"""Stock audit: Postgres conserves stock, and every derived copy agrees with it.

Checks, per product of the inventory table:
- conservation: ``stocked = available + reserved + sold`` (a CHECK constraint guards the row,
  the audit proves it), and no order has both a SOLD and a RELEASED reservation (a hold is
  converted or released exactly once);
- the copies: Redis ``stock:{pid}``, Mongo ``quantity`` and Elasticsearch ``availableQty``
  equal Postgres ``available_qty``. A missing copy is a drift too. Mongo and Elasticsearch
  only hold catalog products, so inventory rows without a live catalog document are counted
  as uncataloged, not compared there.

Each store is read in bulk (one query, MGET or mget per 1000 products), so 10k products take
seconds. The pipeline is asynchronous: a copy may trail Postgres by the CDC delay, so drifts
are re-read after a grace period and only those that persist are reported.
"""

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from elasticsearch import AsyncElasticsearch
from psycopg import AsyncConnection
from psycopg.rows import tuple_row
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from adapters.catalog_store import LIVE
from adapters.connections import Clients
from schemas.mongo_products import PRODUCTS
from schemas.redis_keys import stock_key

CHUNK = 1000
# Up to this many products Mongo is asked per id: an index lookup each on MongoDB, but a
# collection scan each on FerretDB 1.24 (docs/PERFORMANCE.md), so only for a few.
FEW = 20
STORES = ("redis", "mongo", "elasticsearch")
READS = ("postgres", *STORES)  # one progress step each, plus one for the re-check

Step = Callable[[str], None]
T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """Which copies to audit: the search alias, a Redis key prefix (tests use their own) and
    optionally only the products whose id starts with ``product_prefix``."""

    search_alias: str
    key_prefix: str = ""
    product_prefix: str = ""


@dataclass(frozen=True)
class StockRow:
    """One product as every store sees it; a copy is None when missing."""

    product_id: str
    available: int
    reserved: int
    sold: int
    stocked: int
    copies: dict[str, int | None] = field(default_factory=dict)  # only the stores expected

    @property
    def conserved(self) -> bool:
        return self.stocked == self.available + self.reserved + self.sold

    @property
    def drifted(self) -> list[str]:
        return [store for store, value in self.copies.items() if value != self.available]

    @property
    def cataloged(self) -> bool:
        return "mongo" in self.copies

    def as_json(self) -> dict:
        return {
            "product_id": self.product_id,
            "postgres": {
                "available": self.available,
                "reserved": self.reserved,
                "sold": self.sold,
                "stocked": self.stocked,
            },
            **{store: self.copies.get(store) for store in STORES},
            "drifted": self.drifted,
            "conserved": self.conserved,
        }


@dataclass(frozen=True)
class AuditReport:
    rows: list[StockRow]
    mixed_orders: list[str]
    seconds: float

    @property
    def unconserved(self) -> list[StockRow]:
        return [row for row in self.rows if not row.conserved]

    @property
    def drifts(self) -> list[StockRow]:
        return [row for row in self.rows if row.drifted]

    def drift_counts(self) -> dict[str, int]:
        return {store: sum(store in row.drifted for row in self.rows) for store in STORES}

    @property
    def ok(self) -> bool:
        return not (self.unconserved or self.mixed_orders or self.drifts)

    def summary(self) -> dict:
        return {
            "ok": self.ok,
            "products": len(self.rows),
            "uncataloged": sum(not row.cataloged for row in self.rows),
            "seconds": round(self.seconds, 3),
            "drift_counts": self.drift_counts(),
            "unconserved_count": len(self.unconserved),
            "mixed_orders_count": len(self.mixed_orders),
        }

    def as_json(self) -> dict:
        return {
            **self.summary(),
            "unconserved": [row.as_json() for row in self.unconserved],
            "mixed_orders": self.mixed_orders,
            "drifts": [row.as_json() for row in self.drifts],
        }


async def audit(
    clients: Clients, scope: Scope, grace_seconds: float = 3.0, step: Step = lambda _: None
) -> AuditReport:
    """Read every store, then re-read the drifted products once after ``grace_seconds``.

    ``step`` is told each finished read (``READS``) and then ``"recheck"``: a progress hook.
    """
    started = asyncio.get_running_loop().time()
    rows = await read_stock(clients, scope, step=step)
    suspects = {row.product_id: row for row in rows if row.drifted}
    if suspects and grace_seconds > 0:
        await asyncio.sleep(grace_seconds)
        reread = await read_stock(clients, scope, list(suspects), previous=suspects)
        fresh = {row.product_id: row for row in reread}
        rows = [fresh.get(row.product_id, row) for row in rows]
    async with clients.pg.connection() as conn:
        mixed = await mixed_orders(conn, scope.product_prefix)
    step("recheck")
    return AuditReport(rows, mixed, asyncio.get_running_loop().time() - started)


async def read_stock(
    clients: Clients,
    scope: Scope,
    product_ids: Sequence[str] | None = None,
    previous: Mapping[str, StockRow] | None = None,
    step: Step = lambda _: None,
) -> list[StockRow]:
    """Postgres inventory joined with the three copies (all products, or ``product_ids``).

    With ``previous`` rows (a re-check), Mongo, the slow store, is asked again only for the
    products whose Mongo copy drifted or whose Postgres figure moved since.
    """
    inventory = await _inventory(clients, scope, product_ids)
    step("postgres")
    ids = [row[0] for row in inventory]
    kept = {
        row[0]: previous[row[0]]
        for row in inventory
        if previous
        and row[0] in previous
        and "mongo" not in previous[row[0]].drifted
        and previous[row[0]].available == row[1]
    }
    cached, quantities, indexed = await asyncio.gather(
        _told(step, "redis", _redis_stock(clients.redis, scope.key_prefix, ids)),
        _told(
            step,
            "mongo",
            _mongo_quantities(
                clients.mongo, scope.product_prefix, [pid for pid in ids if pid not in kept]
            ),
        ),
        _told(step, "elasticsearch", _search_quantities(clients.es, scope.search_alias, ids)),
    )
    quantities |= {pid: row.copies["mongo"] for pid, row in kept.items() if row.cataloged}
    rows = []
    for product_id, available, reserved, sold, stocked in inventory:
        copies: dict[str, int | None] = {"redis": cached.get(product_id)}
        if product_id in quantities:
            copies |= {"mongo": quantities[product_id], "elasticsearch": indexed.get(product_id)}
        rows.append(StockRow(product_id, available, reserved, sold, stocked, copies))
    return rows


async def mixed_orders(conn: AsyncConnection, product_prefix: str = "") -> list[str]:
    """Orders (with a line in scope) that have both a SOLD and a RELEASED reservation: a hold
    settled twice."""
    cursor = await conn.cursor(row_factory=tuple_row).execute(
        "SELECT order_id::text FROM reservations GROUP BY order_id"
        " HAVING bool_or(status = 'SOLD') AND bool_or(status = 'RELEASED')"
        " AND bool_or(starts_with(product_id, %s)) ORDER BY order_id",
        (product_prefix,),
    )
    return [order_id for (order_id,) in await cursor.fetchall()]


async def _inventory(
    clients: Clients, scope: Scope, product_ids: Sequence[str] | None
) -> list[tuple[str, int, int, int, int]]:
    query = (
        "SELECT product_id, available_qty, reserved_qty, sold_qty, stocked_qty FROM inventory"
        " WHERE starts_with(product_id, %s) AND (%s::text[] IS NULL OR product_id = ANY(%s))"
        " ORDER BY product_id"
    )
    ids = None if product_ids is None else list(product_ids)
    async with clients.pg.connection() as conn:
        cursor = conn.cursor(row_factory=tuple_row)
        await cursor.execute(query, (scope.product_prefix, ids, ids))
        return await cursor.fetchall()


async def _redis_stock(redis: Redis, key_prefix: str, ids: Sequence[str]) -> dict[str, int | None]:
    values: dict[str, int | None] = {}
    for chunk in _chunks(ids):
        raw = await redis.mget([f"{key_prefix}{stock_key(pid)}" for pid in chunk])
        values |= {pid: _as_int(value) for pid, value in zip(chunk, raw, strict=True)}
    return values


async def _mongo_quantities(
    db: AsyncDatabase, product_prefix: str, ids: Sequence[str]
) -> dict[str, int | None]:
    """``quantity`` of the live catalog products among ``ids``.

    One scan for many products; per-id lookups for a few (FerretDB answers an ``$in`` of
    thousands of ids far slower than one full scan: it scans once per id).
    """
    products = db[PRODUCTS]
    projection = {"_id": 0, "productId": 1, "quantity": 1}
    if len(ids) <= FEW:
        found = await asyncio.gather(
            *(products.find_one({"productId": pid, **LIVE}, projection) for pid in ids)
        )
        documents: Iterable[dict] = (doc for doc in found if doc)
    else:
        query = {"productId": {"$regex": f"^{re.escape(product_prefix)}"}, **LIVE}
        documents = [doc async for doc in products.find(query, projection)]
    wanted = set(ids)
    return {
        doc["productId"]: _as_int(doc.get("quantity"))
        for doc in documents
        if doc["productId"] in wanted
    }


async def _search_quantities(
    es: AsyncElasticsearch, alias: str, ids: Sequence[str]
) -> dict[str, int | None]:
    values: dict[str, int | None] = {}
    for chunk in _chunks(ids):
        answer = await es.options(ignore_status=404).mget(
            index=alias, ids=list(chunk), source_includes=["availableQty"]
        )
        for doc in answer.get("docs", []):
            if doc.get("found"):
                values[doc["_id"]] = _as_int(doc["_source"].get("availableQty"))
    return values


async def _told(step: Step, name: str, work: Awaitable[T]) -> T:
    result = await work
    step(name)
    return result


def _as_int(value: object) -> int | None:
    try:
        return None if value is None else int(value)  # type: ignore[call-overload]
    except ValueError:
        return None  # a malformed copy counts as missing


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
