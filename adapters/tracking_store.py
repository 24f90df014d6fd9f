"""What a carrier's tracking event reads and writes in Postgres, in the caller's transaction.

``claim`` keeps the event id once (a redelivery finds it taken); ``lock_tracked`` reads the
order its tracking number names under the row lock, so two events of one parcel apply one
after the other; ``track`` writes the decision, which CDC turns into the status history.
"""

from psycopg import AsyncConnection

from adapters.orders import STATUS_CHANGED_AT
from domain.orders import OrderStatus
from domain.tracking import CarrierEvent, Track, TrackedOrder


async def claim(conn: AsyncConnection, event: CarrierEvent) -> bool:
    """False when the event id was received before: the event is a redelivery."""
    cur = await conn.execute(
        "INSERT INTO carrier_events (event_id, tracking_number, kind, occurred_at, outcome)"
        " VALUES (%s, %s, %s, %s, 'received') ON CONFLICT (event_id) DO NOTHING"
        " RETURNING event_id",
        (event.event_id, event.tracking_number, event.kind, event.occurred_at),
    )
    return await cur.fetchone() is not None


async def lock_tracked(conn: AsyncConnection, tracking_number: str) -> TrackedOrder | None:
    """The newest order shipped under this tracking number (operators may reuse one)."""
    cur = await conn.execute(
        "SELECT order_id::text, status, carrier_event_at FROM orders"
        " WHERE tracking_number = %s ORDER BY created_at DESC LIMIT 1 FOR UPDATE",
        (tracking_number,),
    )
    row = await cur.fetchone()
    if row is None:
        return None
    return TrackedOrder(row["order_id"], OrderStatus(row["status"]), row["carrier_event_at"])


async def track(conn: AsyncConnection, order: TrackedOrder, decision: Track) -> None:
    """The order's new status, estimate and newest event time (``updated_at`` only moves
    with the status: it is when the order reached it)."""
    await conn.execute(
        "UPDATE orders SET status = %(status)s, carrier_event_at = %(at)s,"
        " estimated_delivery = COALESCE(%(estimate)s, estimated_delivery),"
        f" updated_at = CASE WHEN status = %(status)s THEN updated_at ELSE {STATUS_CHANGED_AT} END"
        " WHERE order_id = %(order_id)s",
        {
            "status": decision.status,
            "at": decision.occurred_at,
            "estimate": decision.estimated_delivery,
            "order_id": order.order_id,
        },
    )


async def record_outcome(
    conn: AsyncConnection, event_id: str, order_id: str | None, outcome: str
) -> None:
    await conn.execute(
        "UPDATE carrier_events SET order_id = %s, outcome = %s WHERE event_id = %s",
        (order_id, outcome, event_id),
    )
