"""Postgres inventory rows: the source of truth for stock."""

from psycopg_pool import AsyncConnectionPool

from schemas.catalog import InventoryLevel

# In ON CONFLICT ... DO UPDATE every ``inventory.*`` is the row as it was, so stocked_qty
# moves by exactly the change in available_qty and reserved/sold are untouched: the
# conservation invariant (stocked = available + reserved + sold) survives concurrent
# checkouts because the statement holds the row lock.
_SET_AVAILABLE = """
INSERT INTO inventory AS inv (product_id, available_qty, stocked_qty)
VALUES (%(product_id)s, %(qty)s, %(qty)s)
ON CONFLICT (product_id) DO UPDATE
SET stocked_qty = inv.stocked_qty + (EXCLUDED.available_qty - inv.available_qty),
    available_qty = EXCLUDED.available_qty,
    updated_at = now()
RETURNING product_id, available_qty, reserved_qty, sold_qty, stocked_qty
"""


async def available_qty(pg: AsyncConnectionPool, product_id: str) -> int:
    """Sellable units; a product without an inventory row has none."""
    async with pg.connection() as conn:
        cursor = await conn.execute(
            "SELECT available_qty FROM inventory WHERE product_id = %s", (product_id,)
        )
        row = await cursor.fetchone()
    return 0 if row is None else row["available_qty"]


async def set_available_qty(pg: AsyncConnectionPool, product_id: str, qty: int) -> InventoryLevel:
    """Set sellable stock in one statement, creating the row if missing."""
    async with pg.connection() as conn:
        cursor = await conn.execute(_SET_AVAILABLE, {"product_id": product_id, "qty": qty})
        row = await cursor.fetchone()
    return InventoryLevel.model_validate(row)
