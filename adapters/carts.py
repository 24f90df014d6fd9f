"""One cart per user; its lines are (product id, quantity) only, prices are looked up live."""

import uuid
from collections.abc import Sequence

from psycopg import AsyncConnection


async def ensure_cart(conn: AsyncConnection, user_id: uuid.UUID) -> uuid.UUID:
    """The user's cart, created on first use; safe under concurrent first requests."""
    cur = await conn.execute(
        "INSERT INTO carts (cart_id, user_id) VALUES (%s, %s)"
        " ON CONFLICT (user_id) DO UPDATE SET updated_at = now() RETURNING cart_id",
        (uuid.uuid4(), user_id),
    )
    row = await cur.fetchone()
    return row["cart_id"]


async def owned_cart_lines(
    conn: AsyncConnection, cart_id: uuid.UUID, user_id: uuid.UUID
) -> dict[str, int] | None:
    """{product id: quantity} ordered by product id; None when the cart is not the user's."""
    cur = await conn.execute(
        "SELECT ci.product_id, ci.quantity FROM carts c"
        " LEFT JOIN cart_items ci ON ci.cart_id = c.cart_id"
        " WHERE c.cart_id = %s AND c.user_id = %s ORDER BY ci.product_id",
        (cart_id, user_id),
    )
    rows = await cur.fetchall()
    if not rows:
        return None
    return {row["product_id"]: row["quantity"] for row in rows if row["product_id"] is not None}


async def add_quantity(
    conn: AsyncConnection, cart_id: uuid.UUID, product_id: str, quantity: int, max_quantity: int
) -> bool:
    """Adds to the line (creating it); False, changing nothing, if it would exceed the max."""
    cur = await conn.execute(
        "INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (%s, %s, %s)"
        " ON CONFLICT (cart_id, product_id) DO UPDATE"
        " SET quantity = cart_items.quantity + EXCLUDED.quantity"
        " WHERE cart_items.quantity + EXCLUDED.quantity <= %s RETURNING quantity",
        (cart_id, product_id, quantity, max_quantity),
    )
    return await cur.fetchone() is not None


async def set_quantity(
    conn: AsyncConnection, cart_id: uuid.UUID, product_id: str, quantity: int
) -> bool:
    """False when the product is not in the cart."""
    cur = await conn.execute(
        "UPDATE cart_items SET quantity = %s WHERE cart_id = %s AND product_id = %s",
        (quantity, cart_id, product_id),
    )
    return cur.rowcount > 0


async def remove_lines(
    conn: AsyncConnection, cart_id: uuid.UUID, product_ids: Sequence[str]
) -> int:
    cur = await conn.execute(
        "DELETE FROM cart_items WHERE cart_id = %s AND product_id = ANY(%s)",
        (cart_id, list(product_ids)),
    )
    return cur.rowcount
