"""Payment attempts. Unique (user, idempotency key) and one live attempt per order make a double
submit collide in Postgres instead of reaching the gateway twice."""

import uuid
from collections.abc import Sequence
from decimal import Decimal

from psycopg import AsyncConnection

from domain.money import PaymentFacts
from domain.orders import OrderStatus
from domain.payments import GatewayOutcome, PaymentStatus

_COLUMNS = "payment_id, order_id, idempotency_key, amount, currency, card_last4, status,"
_COLUMNS += " transaction_id, failure_reason"


async def insert_pending(
    conn: AsyncConnection,
    *,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    idempotency_key: str,
    amount: Decimal,
    currency: str,
    card_last4: str,
    request_id: str | None,
) -> dict | None:
    """The new PENDING row, or None when the key or the order already has a live attempt."""
    cur = await conn.execute(
        "INSERT INTO payments (payment_id, order_id, user_id, idempotency_key, amount, currency,"
        " method, card_last4, status, request_id)"
        " VALUES (%s, %s, %s, %s, %s, %s, 'card', %s, 'PENDING', %s)"
        f" ON CONFLICT DO NOTHING RETURNING {_COLUMNS}",
        (
            uuid.uuid4(),
            order_id,
            user_id,
            idempotency_key,
            amount,
            currency,
            card_last4,
            request_id,
        ),
    )
    return await cur.fetchone()


async def existing_attempt(
    conn: AsyncConnection, user_id: uuid.UUID, idempotency_key: str, order_id: uuid.UUID
) -> dict | None:
    """The attempt a retry must resume: the one with this key, else the order's live one."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM payments WHERE user_id = %(user)s"
        " AND (idempotency_key = %(key)s OR (order_id = %(order)s AND status <> 'FAILED'))"
        " ORDER BY idempotency_key = %(key)s DESC LIMIT 1",
        {"user": user_id, "key": idempotency_key, "order": order_id},
    )
    return await cur.fetchone()


async def record_outcome(
    conn: AsyncConnection, payment_id: uuid.UUID, outcome: GatewayOutcome
) -> dict:
    """Stores the gateway's answer; a settled row is never overwritten (late replies lose)."""
    cur = await conn.execute(
        "UPDATE payments SET status = %s, transaction_id = COALESCE(%s, transaction_id),"
        " failure_reason = %s, updated_at = now()"
        " WHERE payment_id = %s AND status IN ('PENDING', 'UNKNOWN')"
        f" RETURNING {_COLUMNS}",
        (outcome.status, outcome.transaction_id, outcome.failure_reason, payment_id),
    )
    row = await cur.fetchone()
    if row is not None:
        return row
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM payments WHERE payment_id = %s", (payment_id,)
    )
    return await cur.fetchone()


async def unanswered(
    conn: AsyncConnection,
    older_than_seconds: float,
    limit: int,
    order_ids: Sequence[str] | None = None,
) -> list[dict]:
    """Attempts whose outcome is still unknown (PENDING, UNKNOWN) for ``older_than_seconds``
    (of every order, or of ``order_ids``): the customer never retried, or the API died while
    asking. Oldest first."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM payments WHERE status IN ('PENDING', 'UNKNOWN')"
        " AND updated_at < now() - make_interval(secs => %s)"
        " AND (%s::uuid[] IS NULL OR order_id = ANY(%s::uuid[]))"
        " ORDER BY updated_at LIMIT %s",
        (older_than_seconds, order_ids, order_ids, limit),
    )
    return await cur.fetchall()


async def touch(conn: AsyncConnection, payment_id: uuid.UUID) -> None:
    """Still unknown after asking again: the next ask waits its turn."""
    await conn.execute(
        "UPDATE payments SET updated_at = now()"
        " WHERE payment_id = %s AND status IN ('PENDING', 'UNKNOWN')",
        (payment_id,),
    )


_FACTS = """
SELECT p.order_id::text, o.status AS order_status, p.payment_id::text, p.status AS payment_status,
       p.amount, r.status AS refund_status, r.amount AS refund_amount
FROM payments p JOIN orders o USING (order_id) LEFT JOIN refunds r USING (payment_id)
WHERE (p.status = 'SUCCEEDED' OR r.refund_id IS NOT NULL)
"""


async def money_facts(
    conn: AsyncConnection, order_ids: Sequence[str] | None = None, product_prefix: str = ""
) -> list[PaymentFacts]:
    """Every succeeded payment and every refunded one, with its order's status and its
    refund (of all orders, of ``order_ids``, or of the orders holding a product whose id
    starts with ``product_prefix``): what the money audit judges."""
    query, params = _FACTS, []
    if order_ids is not None:
        query += " AND p.order_id = ANY(%s::uuid[])"
        params.append(list(order_ids))
    if product_prefix:
        query += (
            " AND EXISTS (SELECT 1 FROM reservations r WHERE r.order_id = p.order_id"
            " AND r.product_id LIKE %s)"
        )
        params.append(f"{product_prefix}%")
    cur = await conn.execute(query, params)
    return [
        PaymentFacts(
            order_id=row["order_id"],
            order_status=OrderStatus(row["order_status"]),
            payment_id=row["payment_id"],
            payment_status=PaymentStatus(row["payment_status"]),
            amount=row["amount"],
            refund_status=row["refund_status"] and PaymentStatus(row["refund_status"]),
            refund_amount=row["refund_amount"],
        )
        for row in await cur.fetchall()
    ]


def status_of(row: dict) -> PaymentStatus:
    return PaymentStatus(row["status"])
