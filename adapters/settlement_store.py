"""What settling an order reads and writes in Postgres, within the caller's transaction.

``lock_order`` and ``lock_expired`` read an order under its row lock with its HELD
reservations; the writes stay conditional (``WHERE status = ...``) even under the lock, and a
write that finds nothing to change raises ``InconsistentOrder`` (the transaction rolls back):
stock is moved only for holds the transaction itself converted, so nothing is moved twice.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from psycopg import AsyncConnection

from adapters import discount_store, inventory_store, orders
from domain.inventory import ReservationStatus, StockMove
from domain.orders import OrderStatus
from domain.payments import PaymentStatus
from domain.settlement import LIVE_PAYMENT_STATUSES, OrderState, Settle

_LOCK_ORDER = "SELECT order_id::text, status FROM orders WHERE order_id = %(order_id)s FOR UPDATE"

# Candidates for expiry; each is re-checked by the domain rule once locked.
_LOCK_EXPIRED = f"""
SELECT o.order_id::text, o.status
FROM orders o
WHERE o.status = %(reserved)s
  AND NOT EXISTS (SELECT 1 FROM payments p
                  WHERE p.order_id = o.order_id AND p.status = ANY(%(live)s))
  AND o.order_id IN ({inventory_store.ORDERS_WITH_EXPIRED_HOLDS})
ORDER BY o.order_id
LIMIT %(limit)s
FOR UPDATE OF o SKIP LOCKED
"""

# Read in a statement of its own once the order is locked: a locking read that waited for
# a payment's transaction sees the order row as that transaction left it, but its subqueries
# see the snapshot taken before the wait, without the payment it committed.
_LIVE_PAYMENT = "SELECT EXISTS (SELECT 1 FROM payments WHERE order_id = %s AND status = ANY(%s))"

_LIVE = list(LIVE_PAYMENT_STATUSES)


class InconsistentOrder(RuntimeError):
    """A conditional write found the row in another state than the one read under the lock."""


class SettlementStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def _state(self, row: dict) -> OrderState:
        order_id = row["order_id"]
        status = OrderStatus(row["status"])
        cur = await self.conn.execute(_LIVE_PAYMENT, (order_id, _LIVE))
        live_payment = (await cur.fetchone())["exists"]
        holds = await inventory_store.holds_of(self.conn, order_id)
        sold = (
            await inventory_store.holds_of(self.conn, order_id, ReservationStatus.SOLD)
            if status is OrderStatus.CONFIRMED
            else ()
        )
        return OrderState(order_id, status, holds, live_payment, sold)

    async def lock_order(self, order_id: str) -> OrderState | None:
        cur = await self.conn.execute(_LOCK_ORDER, {"order_id": order_id})
        row = await cur.fetchone()
        return None if row is None else await self._state(row)

    async def lock_expired(self, now: datetime, limit: int) -> list[OrderState]:
        """Up to ``limit`` RESERVED orders holding stock past its expiry; orders locked by
        another transaction (a payment being applied, another sweep) are skipped."""
        cur = await self.conn.execute(
            _LOCK_EXPIRED,
            {"live": _LIVE, "reserved": OrderStatus.RESERVED, "now": now, "limit": limit},
        )
        return [await self._state(row) for row in await cur.fetchall()]

    async def settle(self, state: OrderState, decision: Settle) -> None:
        """Move the order on and turn its holds into sales or releases (not the stock)."""
        cur = await self.conn.execute(
            f"UPDATE orders SET status = %s, updated_at = {orders.STATUS_CHANGED_AT}"
            " WHERE order_id = %s AND status = %s",
            (decision.order_status, state.order_id, state.status),
        )
        _expect(cur.rowcount, 1, f"order {state.order_id} left {state.status}")
        products = [move.product_id for move in decision.moves]
        converted = await inventory_store.convert_holds(
            self.conn, state.order_id, products, decision.holds_become, decision.holds_were
        )
        _expect(converted, len(products), f"holds of order {state.order_id} changed")

    async def move_stock(self, moves: Iterable[StockMove]) -> None:
        await inventory_store.move(self.conn, moves)

    async def give_back_discounts(self, order_ids: Sequence[str]) -> None:
        await discount_store.give_back(self.conn, order_ids)

    async def payment_status(self, payment_id: str, order_id: str) -> PaymentStatus | None:
        """What Postgres holds for the payment (None: no such payment of this order): a
        record on Kafka only says which payment to look at."""
        cur = await self.conn.execute(
            "SELECT status FROM payments WHERE payment_id = %s AND order_id = %s",
            (payment_id, order_id),
        )
        row = await cur.fetchone()
        return None if row is None else PaymentStatus(row["status"])


def _expect(actual: int, expected: int, what: str) -> None:
    if actual != expected:
        raise InconsistentOrder(f"{what}: {actual} rows changed, expected {expected}")
