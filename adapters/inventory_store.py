"""Inventory and reservation rows in Postgres: the one home of every statement that touches stock.

Postgres is the arbiter of every unit: a reservation is a conditional decrement
(``available_qty >= q``) under the row lock, so concurrent checkouts queue on the row and
re-check, and no interleaving oversells. The table's CHECK constraint keeps
``stocked = available + reserved + sold`` on every row; a trigger gives every committed change
the row's next ``version`` (``adapters/sql/060_inventory_version.sql``), which the derived copies
order their writes by.

Functions take a connection and leave the transaction to the caller, so a checkout reserves
stock, writes its order and empties its cart in one unit of work. The statements are public
for the few synchronous callers (test fixtures) that cannot await these functions.
"""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict

from psycopg import AsyncConnection
from psycopg.rows import class_row, tuple_row

from domain.inventory import (
    Hold,
    OutOfStock,
    ReservationStatus,
    StockChange,
    StockLevel,
    StockMove,
    net_moves,
)

_LEVEL_COLUMNS = (
    "product_id, available_qty AS available, reserved_qty AS reserved, sold_qty AS sold,"
    " stocked_qty AS stocked, version"
)

RESERVE = """
UPDATE inventory SET available_qty = available_qty - %(quantity)s,
                     reserved_qty = reserved_qty + %(quantity)s, updated_at = now()
WHERE product_id = %(product_id)s AND available_qty >= %(quantity)s
RETURNING product_id, available_qty AS available, version
"""

# Written before the row is reserved (``hold``): a product without an inventory row gets no
# hold here, and its reservation below refuses the order.
INSERT_HOLD = """
INSERT INTO reservations (order_id, product_id, quantity, expires_at)
SELECT %(order_id)s, product_id, %(quantity)s, now() + make_interval(secs => %(ttl)s)
FROM inventory WHERE product_id = %(product_id)s
"""

MOVE = """
UPDATE inventory SET available_qty = available_qty + %(available)s,
                     reserved_qty = reserved_qty + %(reserved)s,
                     sold_qty = sold_qty + %(sold)s,
                     stocked_qty = stocked_qty + %(stocked)s, updated_at = now()
WHERE product_id = %(product_id)s
"""

# In ON CONFLICT ... DO UPDATE, ``inv.*`` is the row as it was: stocked moves by exactly the
# change of available and reserved/sold are untouched (domain.inventory.set_available), under
# the row lock, so concurrent checkouts cannot break conservation.
SET_AVAILABLE = f"""
INSERT INTO inventory AS inv (product_id, available_qty, stocked_qty)
VALUES (%(product_id)s, %(available)s, %(available)s)
ON CONFLICT (product_id) DO UPDATE
SET stocked_qty = inv.stocked_qty + (EXCLUDED.available_qty - inv.available_qty),
    available_qty = EXCLUDED.available_qty, updated_at = now()
RETURNING {_LEVEL_COLUMNS}
"""

RESTOCK_MATCHING = """
UPDATE inventory SET available_qty = available_qty + %(delta)s,
                     stocked_qty = stocked_qty + %(delta)s, updated_at = now()
WHERE starts_with(product_id, %(prefix)s) AND available_qty + %(delta)s >= 0
"""
"""Every product whose id starts with ``prefix`` gains ``delta`` available units (a bulk restock;
benches use it to put one change record per row on the log)."""

ADD_LEVELS = """
INSERT INTO inventory (product_id, available_qty, stocked_qty)
SELECT id, qty, qty FROM unnest(%(ids)s::text[], %(quantities)s::int[]) AS new(id, qty)
ON CONFLICT (product_id) DO NOTHING
"""

_HOLDS = """
SELECT product_id, quantity, expires_at FROM reservations
WHERE order_id = %(order_id)s AND status = %(status)s ORDER BY product_id
"""

_CONVERT_HOLDS = """
UPDATE reservations SET status = %(becomes)s, updated_at = now()
WHERE order_id = %(order_id)s AND status = %(held)s AND product_id = ANY(%(products)s)
"""

ORDERS_WITH_EXPIRED_HOLDS = """
SELECT order_id FROM reservations WHERE status = 'HELD' AND expires_at < %(now)s
"""
"""A subquery (parameter ``now``) for the expiry sweep, which locks the orders it names."""

_AVAILABLE = "SELECT available_qty FROM inventory WHERE product_id = %s"

_LEVELS = f"""
SELECT {_LEVEL_COLUMNS} FROM inventory
WHERE starts_with(product_id, %(prefix)s)
  AND (%(ids)s::text[] IS NULL OR product_id = ANY(%(ids)s))
ORDER BY product_id
"""

REMOVE_LEVELS = """
DELETE FROM inventory i
WHERE (i.product_id = ANY(%(ids)s) OR starts_with(i.product_id, %(prefix)s))
  AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.product_id = i.product_id)
"""

_MIXED_ORDERS = """
SELECT order_id::text FROM reservations GROUP BY order_id
HAVING bool_or(status = 'SOLD') AND bool_or(status = 'RELEASED')
   AND bool_or(starts_with(product_id, %(prefix)s))
ORDER BY order_id
"""


async def hold(
    conn: AsyncConnection,
    order_id: uuid.UUID,
    lines: Sequence[tuple[str, int]],
    ttl_seconds: int,
) -> list[StockChange]:
    """Reserve every (product, quantity) line for the order and record its holds, expiring
    ``ttl_seconds`` after the transaction's start; the rows' new levels and versions.

    Raises ``OutOfStock`` on the first line short of units: the caller's transaction must roll
    back. Lines are taken in product order, so concurrent checkouts lock rows in one order.
    The holds are written first and the inventory rows updated last: in a rush on one product
    its row's lock is then held only for the update and the commit after it.
    """
    async with conn.cursor() as cur:
        await cur.executemany(
            INSERT_HOLD,
            [
                {"order_id": order_id, "product_id": pid, "quantity": qty, "ttl": ttl_seconds}
                for pid, qty in lines
            ],
        )
    changes = []
    for product_id, quantity in sorted(lines):
        cur = await conn.cursor(row_factory=class_row(StockChange)).execute(
            RESERVE, {"product_id": product_id, "quantity": quantity}
        )
        change = await cur.fetchone()
        if change is None:
            raise OutOfStock(product_id)
        changes.append(change)
    return changes


async def holds_of(
    conn: AsyncConnection, order_id: str, status: ReservationStatus = ReservationStatus.HELD
) -> tuple[Hold, ...]:
    """The order's reservations in ``status`` (HELD: its holds), in product order."""
    cur = await conn.cursor(row_factory=class_row(Hold)).execute(
        _HOLDS, {"order_id": order_id, "status": status}
    )
    return tuple(await cur.fetchall())


async def convert_holds(
    conn: AsyncConnection,
    order_id: str,
    product_ids: Sequence[str],
    becomes: ReservationStatus,
    were: ReservationStatus = ReservationStatus.HELD,
) -> int:
    """Turn the order's reservations of these products in ``were`` (HELD, or SOLD for a
    cancelled sale) into ``becomes``; how many changed (fewer than asked: another transaction
    converted them first)."""
    cur = await conn.execute(
        _CONVERT_HOLDS,
        {
            "becomes": becomes,
            "order_id": order_id,
            "held": were,
            "products": list(product_ids),
        },
    )
    return cur.rowcount


async def move(conn: AsyncConnection, moves: Iterable[StockMove]) -> None:
    """Apply the moves, summed per product and in product order (no deadlocks)."""
    async with conn.cursor() as cur:
        await cur.executemany(MOVE, [move_params(m) for m in net_moves(moves)])


def move_params(move: StockMove) -> dict:
    """The parameters of ``MOVE`` for one move."""
    return asdict(move)


async def set_available(conn: AsyncConnection, product_id: str, available: int) -> StockLevel:
    """Set the sellable count (creating the row if missing); stocked moves along."""
    cur = await conn.cursor(row_factory=class_row(StockLevel)).execute(
        SET_AVAILABLE, {"product_id": product_id, "available": available}
    )
    level = await cur.fetchone()
    assert level is not None  # an upsert always returns its row
    return level


async def add_levels(conn: AsyncConnection, available: Mapping[str, int]) -> int:
    """New rows for the products that have none (existing rows keep their live stock);
    how many were added."""
    cur = await conn.execute(
        ADD_LEVELS, {"ids": list(available), "quantities": list(available.values())}
    )
    return cur.rowcount


async def available(conn: AsyncConnection, product_id: str) -> int:
    """Sellable units; a product without an inventory row has none."""
    cur = await conn.cursor(row_factory=tuple_row).execute(_AVAILABLE, (product_id,))
    row = await cur.fetchone()
    return 0 if row is None else row[0]


async def levels(
    conn: AsyncConnection, product_prefix: str = "", product_ids: Sequence[str] | None = None
) -> list[StockLevel]:
    """The rows of the products whose id starts with ``product_prefix`` (and, given, are among
    ``product_ids``), in product order."""
    ids = None if product_ids is None else list(product_ids)
    cur = await conn.cursor(row_factory=class_row(StockLevel)).execute(
        _LEVELS, {"prefix": product_prefix, "ids": ids}
    )
    return await cur.fetchall()


async def mixed_orders(conn: AsyncConnection, product_prefix: str = "") -> list[str]:
    """Orders (with a line in scope) that have both a SOLD and a RELEASED reservation: a hold
    settled twice."""
    cur = await conn.cursor(row_factory=tuple_row).execute(
        _MIXED_ORDERS, {"prefix": product_prefix}
    )
    return [order_id for (order_id,) in await cur.fetchall()]


async def remove_levels(
    conn: AsyncConnection, product_ids: Sequence[str] = (), product_prefix: str | None = None
) -> None:
    """Delete the rows (of these products, or whose id starts with the prefix) that no
    reservation refers to: test worlds and benches clean up after themselves."""
    await conn.execute(REMOVE_LEVELS, {"ids": list(product_ids), "prefix": product_prefix})
