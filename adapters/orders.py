"""Orders: created RESERVED by checkout, read by their owner, shipped by operators."""

import uuid

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from domain.checkout import OrderDraft
from domain.orders import OrderStatus, Shipment
from domain.payments import PayableOrder

_TRACKING_COLUMNS = "order_id, status, tracking_number, carrier, estimated_delivery"

STATUS_CHANGED_AT = "clock_timestamp()"
"""When an order reaches a status (``updated_at``, which its history and status stream order
by): the moment of the write, not ``now()``, the start of its transaction. Two transactions
that change one order take its row lock in turn, and the second may have started before the
first committed: with ``now()`` its later status would carry the earlier time."""


async def insert_reserved(
    conn: AsyncConnection,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    draft: OrderDraft,
    delivery_address: dict | None,
    request_id: str | None,
) -> bool:
    """False when the order id exists already: a concurrent retry of the same checkout. The
    order's ``total_amount`` is what its payment must be: the discount line is taken off."""
    discount = draft.discount
    cur = await conn.execute(
        "INSERT INTO orders (order_id, user_id, products, total_amount, currency,"
        " discount_code, discount_amount, delivery_address, status, request_id)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (order_id) DO NOTHING RETURNING order_id",
        (
            order_id,
            user_id,
            Jsonb([line.as_json() for line in draft.lines]),
            draft.total,
            draft.currency,
            discount.code if discount else None,
            discount.amount if discount else 0,
            Jsonb(delivery_address) if delivery_address else None,
            OrderStatus.RESERVED,
            request_id,
        ),
    )
    return await cur.fetchone() is not None


async def exists_for(conn: AsyncConnection, order_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    cur = await conn.execute(
        "SELECT 1 FROM orders WHERE order_id = %s AND user_id = %s", (order_id, user_id)
    )
    return await cur.fetchone() is not None


async def page_of(
    conn: AsyncConnection, user_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[dict], int]:
    """The user's orders, newest first, and how many there are in all."""
    cur = await conn.execute("SELECT count(*) AS n FROM orders WHERE user_id = %s", (user_id,))
    total = (await cur.fetchone())["n"]
    cur = await conn.execute(
        "SELECT order_id, status, products, total_amount, discount_code, discount_amount,"
        " currency, created_at FROM orders"
        " WHERE user_id = %s ORDER BY created_at DESC, order_id LIMIT %s OFFSET %s",
        (user_id, limit, offset),
    )
    return await cur.fetchall(), total


async def tracking_of(
    conn: AsyncConnection, order_id: uuid.UUID, user_id: uuid.UUID
) -> dict | None:
    cur = await conn.execute(
        f"SELECT {_TRACKING_COLUMNS} FROM orders WHERE order_id = %s AND user_id = %s",
        (order_id, user_id),
    )
    return await cur.fetchone()


async def status_of(conn: AsyncConnection, order_id: uuid.UUID, user_id: uuid.UUID) -> dict | None:
    """The owner's order as a status change: ``order_id``, ``status``, ``changed_at``."""
    cur = await conn.execute(
        "SELECT order_id::text, status, updated_at AS changed_at FROM orders"
        " WHERE order_id = %s AND user_id = %s",
        (order_id, user_id),
    )
    return await cur.fetchone()


async def history_of(conn: AsyncConnection, order_id: uuid.UUID) -> list[dict]:
    cur = await conn.execute(
        "SELECT status, changed_at FROM order_status_history WHERE order_id = %s"
        " ORDER BY changed_at, status",
        (order_id,),
    )
    return await cur.fetchall()


async def payable_view(
    conn: AsyncConnection, order_id: uuid.UUID, user_id: uuid.UUID
) -> PayableOrder | None:
    """What decides whether a first payment may start; None when not the user's order.

    The order row stays locked until the caller's transaction ends, so starting a payment and
    cancelling (or expiring) the same order serialise: whichever commits first, the other
    sees it (a PENDING payment, or an order no longer RESERVED) and refuses cleanly. The facts
    are read after the lock is held, in a statement of its own, so they include what the
    transaction it waited for committed."""
    cur = await conn.execute(
        "SELECT 1 FROM orders WHERE order_id = %s AND user_id = %s FOR UPDATE",
        (order_id, user_id),
    )
    if await cur.fetchone() is None:
        return None
    cur = await conn.execute(
        "SELECT o.status, o.total_amount, o.currency,"
        " EXISTS (SELECT 1 FROM reservations r WHERE r.order_id = o.order_id"
        "         AND r.expires_at <= now()) AS hold_expired,"
        " EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.order_id"
        "         AND p.status = 'FAILED') AS payment_failed"
        " FROM orders o WHERE o.order_id = %s",
        (order_id,),
    )
    row = await cur.fetchone()
    return PayableOrder(
        status=OrderStatus(row["status"]),
        total=row["total_amount"],
        currency=row["currency"],
        hold_expired=row["hold_expired"],
        payment_failed=row["payment_failed"],
    )


async def lock_status(conn: AsyncConnection, order_id: uuid.UUID) -> OrderStatus | None:
    """Current status, row locked until the transaction ends (operators racing each other)."""
    cur = await conn.execute(
        "SELECT status FROM orders WHERE order_id = %s FOR UPDATE", (order_id,)
    )
    row = await cur.fetchone()
    return OrderStatus(row["status"]) if row else None


async def set_status(
    conn: AsyncConnection,
    order_id: uuid.UUID,
    status: OrderStatus,
    shipment: Shipment | None = None,
) -> dict:
    """The status change (and shipment details); CDC turns it into order_status_history."""
    cur = await conn.execute(
        f"UPDATE orders SET status = %s, updated_at = {STATUS_CHANGED_AT},"
        " tracking_number = COALESCE(%s, tracking_number), carrier = COALESCE(%s, carrier),"
        " estimated_delivery = COALESCE(%s, estimated_delivery) WHERE order_id = %s"
        f" RETURNING {_TRACKING_COLUMNS}",
        (
            status,
            shipment.tracking_number if shipment else None,
            shipment.carrier if shipment else None,
            shipment.estimated_delivery if shipment else None,
            order_id,
        ),
    )
    return await cur.fetchone()
