"""Stock holds: the conditional decrement that makes Postgres the arbiter of every unit."""

import uuid
from collections.abc import Sequence

from psycopg import AsyncConnection

from domain.checkout import OrderLine


async def reserve(conn: AsyncConnection, product_id: str, quantity: int) -> bool:
    """Moves ``quantity`` units from available to reserved; False (nothing changed) when fewer
    are available. Concurrent callers queue on the row lock and re-check the condition."""
    cur = await conn.execute(
        "UPDATE inventory SET available_qty = available_qty - %(q)s,"
        " reserved_qty = reserved_qty + %(q)s, updated_at = now()"
        " WHERE product_id = %(p)s AND available_qty >= %(q)s",
        {"p": product_id, "q": quantity},
    )
    return cur.rowcount == 1


async def insert_holds(
    conn: AsyncConnection, order_id: uuid.UUID, lines: Sequence[OrderLine], ttl_seconds: int
) -> None:
    """One HELD reservation per line, expiring ``ttl_seconds`` from the transaction's start."""
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO reservations (order_id, product_id, quantity, expires_at)"
            " VALUES (%s, %s, %s, now() + make_interval(secs => %s))",
            [(order_id, line.product_id, line.quantity, ttl_seconds) for line in lines],
        )
