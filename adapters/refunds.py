"""Refunds of succeeded payments: opened PENDING with the cancellation, settled by the
gateway's answer. The row's ``charge_id`` is the payment's gateway transaction."""

import uuid

from psycopg import AsyncConnection

from domain.payments import GatewayOutcome

_COLUMNS = (
    "r.refund_id, r.order_id, r.payment_id, r.amount, r.currency, r.status,"
    " r.gateway_refund_id, r.failure_reason, p.transaction_id AS charge_id"
)


async def open_for_order(conn: AsyncConnection, order_id: uuid.UUID) -> None:
    """A PENDING refund of the order's succeeded payment (none twice for one payment)."""
    await conn.execute(
        "INSERT INTO refunds (refund_id, order_id, payment_id, amount, currency, status)"
        " SELECT %s, order_id, payment_id, amount, currency, 'PENDING' FROM payments"
        " WHERE order_id = %s AND status = 'SUCCEEDED'"
        " ON CONFLICT (payment_id) DO NOTHING",
        (uuid.uuid4(), order_id),
    )


async def of_order(conn: AsyncConnection, order_id: uuid.UUID) -> dict | None:
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM refunds r JOIN payments p USING (payment_id)"
        " WHERE r.order_id = %s",
        (order_id,),
    )
    return await cur.fetchone()


async def record_outcome(
    conn: AsyncConnection, refund_id: uuid.UUID, outcome: GatewayOutcome
) -> dict:
    """Stores the gateway's answer; a settled refund is never overwritten (late replies lose)."""
    await conn.execute(
        "UPDATE refunds SET status = %s, gateway_refund_id = COALESCE(%s, gateway_refund_id),"
        " failure_reason = %s, updated_at = now()"
        " WHERE refund_id = %s AND status IN ('PENDING', 'UNKNOWN')",
        (outcome.status, outcome.transaction_id, outcome.failure_reason, refund_id),
    )
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM refunds r JOIN payments p USING (payment_id)"
        " WHERE r.refund_id = %s",
        (refund_id,),
    )
    return await cur.fetchone()
