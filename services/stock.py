"""Stock beyond checkout: the derived copies following the change log, and operators setting
the sellable count."""

import asyncio
from collections.abc import Iterable

from adapters import catalog_store, inventory_store
from adapters.stock_cache import StockMirror
from domain.inventory import StockChange, StockCopy, StockLevel, latest_per_product
from domain.pricing import ProductNotFound
from services.context import Services

COPY_WRITES_AT_ONCE = 8
"""A batch's writes to one copy in flight at a time: a catalog update costs FerretDB a scan of
Postgres rows, and a batch of hundreds at once timed out instead of finishing sooner."""


async def mirror_stock(copy: StockCopy, changes: Iterable[StockChange]) -> None:
    """Give a copy (the Redis mirror, the catalog quantity) the newest change of each product;
    the copy keeps any newer one it holds, so repeats and reordering change nothing."""
    gate = asyncio.Semaphore(COPY_WRITES_AT_ONCE)

    async def apply(change: StockChange) -> None:
        async with gate:
            await copy.apply(change)

    await asyncio.gather(*(apply(change) for change in latest_per_product(changes)))


async def set_stock(services: Services, product_id: str, available: int) -> StockLevel:
    """An operator sets a listed product's sellable count; stocked moves along, reserved and
    sold units stay (the change log carries the new figure to every copy)."""
    clients = services.engines
    if not await catalog_store.product_exists(clients.mongo, product_id):
        raise ProductNotFound(product_id)
    async with services.unit_of_work() as uow:
        return await inventory_store.set_available(uow.conn, product_id, available)


async def available(services: Services, product_id: str) -> int:
    """The stock mirror's count, else Postgres' (a miss, or Redis unreachable). Nothing here
    fills the mirror: every mirrored value is one the pipeline took from Postgres."""
    clients = services.engines
    mirrored = await StockMirror(clients.redis).available(product_id)
    if mirrored is not None:
        return mirrored
    async with clients.pg.connection() as conn:
        return await inventory_store.available(conn, product_id)
