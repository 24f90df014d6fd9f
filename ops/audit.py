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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from elasticsearch import AsyncElasticsearch

from adapters import catalog_store, inventory_store
from adapters.connections import Clients
from adapters.stock_cache import CHUNK, StockMirror
from domain.inventory import StockLevel

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

    level: StockLevel
    copies: dict[str, int | None] = field(default_factory=dict)  # only the stores expected

    @property
    def product_id(self) -> str:
        return self.level.product_id

    @property
    def available(self) -> int:
        return self.level.available

    @property
    def conserved(self) -> bool:
        return self.level.conserved

    @property
    def drifted(self) -> list[str]:
        return [store for store, value in self.copies.items() if value != self.available]

    @property
    def cataloged(self) -> bool:
        return "mongo" in self.copies

    def as_json(self) -> dict:
        level = self.level
        return {
            "product_id": self.product_id,
            "postgres": {
                "available": level.available,
                "reserved": level.reserved,
                "sold": level.sold,
                "stocked": level.stocked,
                "version": level.version,
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
        mixed = await inventory_store.mixed_orders(conn, scope.product_prefix)
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
    async with clients.pg.connection() as conn:
        levels = await inventory_store.levels(conn, scope.product_prefix, product_ids)
    step("postgres")
    ids = [level.product_id for level in levels]
    kept = {
        level.product_id: previous[level.product_id]
        for level in levels
        if previous
        and level.product_id in previous
        and "mongo" not in previous[level.product_id].drifted
        and previous[level.product_id].available == level.available
    }
    mirrored, quantities, indexed = await asyncio.gather(
        _told(step, "redis", StockMirror(clients.redis, scope.key_prefix).read(ids)),
        _told(
            step,
            "mongo",
            catalog_store.quantities(
                clients.mongo, [pid for pid in ids if pid not in kept], scope.product_prefix
            ),
        ),
        _told(step, "elasticsearch", _search_quantities(clients.es, scope.search_alias, ids)),
    )
    quantities |= {pid: row.copies["mongo"] for pid, row in kept.items() if row.cataloged}
    rows = []
    for level in levels:
        copies: dict[str, int | None] = {"redis": mirrored.get(level.product_id)}
        if level.product_id in quantities:
            copies |= {
                "mongo": quantities[level.product_id],
                "elasticsearch": indexed.get(level.product_id),
            }
        rows.append(StockRow(level, copies))
    return rows


async def _search_quantities(
    es: AsyncElasticsearch, alias: str, ids: Sequence[str]
) -> dict[str, int | None]:
    values: dict[str, int | None] = {}
    for start in range(0, len(ids), CHUNK):
        answer = await es.options(ignore_status=404).mget(
            index=alias, ids=list(ids[start : start + CHUNK]), source_includes=["availableQty"]
        )
        for doc in answer.get("docs", []):
            if doc.get("found"):
                quantity = doc["_source"].get("availableQty")
                values[doc["_id"]] = quantity if isinstance(quantity, int) else None
    return values


async def _told(step: Step, name: str, work: Awaitable[T]) -> T:
    result = await work
    step(name)
    return result
