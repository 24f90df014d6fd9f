"""Orders, their holds and stock in Postgres: load under a row lock, apply a decision, commit.

The writes stay conditional (``WHERE status = 'RESERVED'`` / ``'HELD'``) even under the lock,
and a write that finds nothing to change aborts the transaction: stock is moved only for holds
this very transaction converted, so no interleaving can move it twice.
"""

from datetime import datetime

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from adapters import inventory_store
from domain.notifications import notification_id
from domain.orders import OrderStatus
from domain.settlement import (
    LIVE_PAYMENT_STATUSES,
    REFUND_REQUIRED,
    Decide,
    Decision,
    NoChange,
    OrderState,
    RefundRequired,
    Settle,
)

_LIVE_PAYMENT = """EXISTS (SELECT 1 FROM payments p
        WHERE p.order_id = o.order_id AND p.status = ANY(%(live)s))"""

_LOCK_ORDER = f"""
SELECT o.order_id::text, o.status, {_LIVE_PAYMENT} AS live_payment
FROM orders o WHERE o.order_id = %(order_id)s FOR UPDATE
"""

# Candidates for expiry; each is re-checked by the domain rule once locked.
_LOCK_EXPIRED = f"""
SELECT o.order_id::text, o.status, {_LIVE_PAYMENT} AS live_payment
FROM orders o
WHERE o.status = %(reserved)s AND NOT {_LIVE_PAYMENT}
  AND o.order_id IN ({inventory_store.ORDERS_WITH_EXPIRED_HOLDS})
ORDER BY o.order_id
LIMIT %(limit)s
FOR UPDATE OF o SKIP LOCKED
"""


class InconsistentOrder(RuntimeError):
    """A conditional write found the row in another state than the one read under the lock."""


class PostgresOrderBook:
    def __init__(self, pg: AsyncConnectionPool) -> None:
        self.pg = pg

    async def settle(self, order_id: str, decide: Decide) -> Decision:
        """Lock the order, apply what ``decide`` answers for its state, in one transaction."""
        async with self.pg.connection() as conn, conn.transaction():
            cur = await conn.execute(
                _LOCK_ORDER, {"order_id": order_id, "live": list(LIVE_PAYMENT_STATUSES)}
            )
            row = await cur.fetchone()
            if row is None:
                return NoChange("unknown order")
            [decision] = await _decide_and_apply(conn, [row], decide)
            return decision

    async def settle_expired(self, now: datetime, decide: Decide, limit: int) -> list[Decision]:
        """The same for a batch of RESERVED orders with expired holds; locked orders are skipped
        (a payment is being applied to them, or another worker's sweep has them)."""
        async with self.pg.connection() as conn, conn.transaction():
            cur = await conn.execute(
                _LOCK_EXPIRED,
                {
                    "live": list(LIVE_PAYMENT_STATUSES),
                    "reserved": OrderStatus.RESERVED,
                    "now": now,
                    "limit": limit,
                },
            )
            return await _decide_and_apply(conn, await cur.fetchall(), decide)


async def _decide_and_apply(
    conn: AsyncConnection, locked: list[dict], decide: Decide
) -> list[Decision]:
    """Decide for each locked order and write its order and hold rows; then move the stock of
    them all at once, each product once and in product order, so that transactions touching
    overlapping products lock inventory rows in the same order and cannot deadlock."""
    decisions = []
    for row in locked:
        holds = await inventory_store.holds_of(conn, row["order_id"])
        state = OrderState(row["order_id"], OrderStatus(row["status"]), holds, row["live_payment"])
        decision = decide(state)
        if isinstance(decision, Settle):
            await _settle(conn, state, decision)
        elif isinstance(decision, RefundRequired):
            await _record_refund(conn, state.order_id)
        decisions.append(decision)
    settled = (move for d in decisions if isinstance(d, Settle) for move in d.moves)
    await inventory_store.move(conn, settled)
    return decisions


async def _settle(conn: AsyncConnection, state: OrderState, decision: Settle) -> None:
    cur = await conn.execute(
        "UPDATE orders SET status = %s, updated_at = now() WHERE order_id = %s AND status = %s",
        (decision.order_status, state.order_id, state.status),
    )
    _expect(cur.rowcount, 1, f"order {state.order_id} left {state.status}")
    products = [move.product_id for move in decision.moves]
    converted = await inventory_store.convert_holds(
        conn, state.order_id, products, decision.holds_become
    )
    _expect(converted, len(products), f"holds of order {state.order_id} changed")


async def _record_refund(conn: AsyncConnection, order_id: str) -> None:
    """A to-do for the payments team, addressed to the customer who was charged."""
    await conn.execute(
        "INSERT INTO notifications (notification_id, order_id, kind, recipient)"
        " SELECT %s, o.order_id, %s, u.email FROM orders o JOIN users u USING (user_id)"
        " WHERE o.order_id = %s ON CONFLICT (notification_id) DO NOTHING",
        (notification_id(order_id, REFUND_REQUIRED), REFUND_REQUIRED, order_id),
    )


def _expect(actual: int, expected: int, what: str) -> None:
    if actual != expected:
        raise InconsistentOrder(f"{what}: {actual} rows changed, expected {expected}")
