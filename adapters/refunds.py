"""Refunds of succeeded payments: opened PENDING in the transaction that decides the money must
go back (a cancellation, or a success for an order that had already ended), settled by the
gateway's answer. A row's ``charge_id`` is its payment's gateway transaction."""

import uuid

from psycopg import AsyncConnection

from domain.payments import GatewayOutcome

_COLUMNS = (
    "r.refund_id, r.order_id, r.payment_id, r.amount, r.currency, r.status,"
    " r.gateway_refund_id, r.failure_reason, p.transaction_id AS charge_id"
)
_SELECT = f"SELECT {_COLUMNS} FROM refunds r JOIN payments p USING (payment_id)"

# One refund per payment, of the whole charge; only a SUCCEEDED payment gets one.
_OPEN = (
    "INSERT INTO refunds (refund_id, order_id, payment_id, amount, currency, status)"
    " SELECT gen_random_uuid(), order_id, payment_id, amount, currency, 'PENDING' FROM payments"
    " WHERE {column} = %s AND status = 'SUCCEEDED'"
    " ON CONFLICT (payment_id) DO NOTHING"
)

Id = uuid.UUID | str


class RefundStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def open_for_order(self, order_id: Id) -> None:
        """A PENDING refund of the order's succeeded payment (never two for one payment)."""
        await self.conn.execute(_OPEN.format(column="order_id"), (order_id,))

    async def open_for_payment(self, payment_id: Id) -> bool:
        """A PENDING refund of this payment, if it succeeded (never two); True when this call
        opened it (and so should ask the gateway for it)."""
        cur = await self.conn.execute(_OPEN.format(column="payment_id"), (payment_id,))
        return cur.rowcount == 1

    async def of_order(self, order_id: Id) -> dict | None:
        cur = await self.conn.execute(f"{_SELECT} WHERE r.order_id = %s", (order_id,))
        return await cur.fetchone()

    async def of_payment(self, payment_id: Id) -> dict | None:
        cur = await self.conn.execute(f"{_SELECT} WHERE r.payment_id = %s", (payment_id,))
        return await cur.fetchone()

    async def unanswered(self, older_than_seconds: float, limit: int) -> list[dict]:
        """Refunds the gateway has not answered (PENDING, UNKNOWN) for ``older_than_seconds``:
        the ask after the deciding commit was lost (a crash, the gateway down)."""
        cur = await self.conn.execute(
            f"{_SELECT} WHERE r.status IN ('PENDING', 'UNKNOWN')"
            " AND r.updated_at < now() - make_interval(secs => %s)"
            " ORDER BY r.updated_at LIMIT %s",
            (older_than_seconds, limit),
        )
        return await cur.fetchall()

    async def record_outcome(self, refund_id: Id, outcome: GatewayOutcome) -> dict:
        """Stores the gateway's answer; a settled refund is never overwritten (late replies
        lose). An unanswered ask still moves ``updated_at``: the retries space out."""
        await self.conn.execute(
            "UPDATE refunds SET status = %s, gateway_refund_id = COALESCE(%s, gateway_refund_id),"
            " failure_reason = %s, updated_at = now()"
            " WHERE refund_id = %s AND status IN ('PENDING', 'UNKNOWN')",
            (outcome.status, outcome.transaction_id, outcome.failure_reason, refund_id),
        )
        cur = await self.conn.execute(f"{_SELECT} WHERE r.refund_id = %s", (refund_id,))
        return await cur.fetchone()
