"""Repair of the derived stock copies from Postgres, safe beside the live stream agents.

A copy holding a wrong figure under a current (or corrupted, too high) version refuses every
guarded write, so a repair overwrites it. An overwrite may itself put back an older figure than
one the live agent wrote an instant before; so every repair ends by applying what Postgres holds
*now* through the guarded write: whatever the agent wrote meanwhile is as new (kept) or older
(replaced), and no newer change is lost.
"""

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from psycopg_pool import AsyncConnectionPool

from adapters import catalog_store, inventory_store
from adapters.catalog_store import CatalogQuantity
from adapters.connections import Clients
from adapters.stock_cache import StockMirror
from domain.inventory import StockChange, StockCopy
from ops.audit import AuditReport, Scope
from ops.bounded import bounded

CONCURRENCY = {"redis": 64, "mongo": 16}


@dataclass(frozen=True)
class Repair:
    """One copy of one product set from ``before`` to Postgres' ``after``."""

    product_id: str
    store: str
    before: int | None
    after: int

    def as_json(self) -> dict:
        return asdict(self)


async def overwrite_then_catch_up(
    pg: AsyncConnectionPool,
    copy: StockCopy,
    changes: Sequence[StockChange],
    limit: int,
    done: Callable[[int], None] = lambda _: None,
) -> list[StockChange]:
    """Overwrite the copy with ``changes``, then apply Postgres' current levels of the same
    products (guarded); the changes that altered the copy."""
    altered = await bounded([copy.overwrite(change) for change in changes], limit, done)
    async with pg.connection() as conn:
        now = await inventory_store.levels(conn, product_ids=[c.product_id for c in changes])
    await bounded([copy.apply(level.change) for level in now], limit)
    return [change for change, did in zip(changes, altered, strict=True) if did]


async def repair(clients: Clients, scope: Scope, report: AuditReport) -> list[Repair]:
    """Set every drifted copy of the report to what Postgres holds; what changed.

    Redis and Mongo are written directly. A search document follows the catalog (the change
    feed carries it), so a drifted one is re-fed: its product gets a new version unchanged,
    unless the Mongo repair gave it one already.
    """
    drifts = report.drifts
    ids = [row.product_id for row in drifts]
    async with clients.pg.connection() as conn:
        current = {
            level.product_id: level.change
            for level in await inventory_store.levels(conn, product_ids=ids)
        }
    copies: dict[str, StockCopy] = {
        "redis": StockMirror(clients.redis, scope.key_prefix),
        "mongo": CatalogQuantity(clients.mongo),
    }
    repairs = []
    for store, copy in copies.items():
        drifted = [row for row in drifts if store in row.drifted and row.product_id in current]
        altered = await overwrite_then_catch_up(
            clients.pg, copy, [current[row.product_id] for row in drifted], CONCURRENCY[store]
        )
        before = {row.product_id: row.copies[store] for row in drifted}
        repairs += [Repair(c.product_id, store, before[c.product_id], c.available) for c in altered]
    refed = [row for row in drifts if "elasticsearch" in row.drifted and "mongo" not in row.drifted]
    if refed and await catalog_store.refeed(clients.mongo, [row.product_id for row in refed]):
        repairs += [
            Repair(row.product_id, "elasticsearch", row.copies["elasticsearch"], row.available)
            for row in refed
        ]
    return repairs
