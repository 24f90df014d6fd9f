"""Paying an order: one attempt row per payment, one gateway idempotency key per attempt.

A first request inserts the PENDING row (the unique indexes turn a concurrent double submit into
one row), calls the gateway, and records what it said. A retry finds the row: if settled it gets
the stored answer; if still unknown it replays the gateway call with the attempt's key, which the
gateway answers with the charge it already made (reconciliation) instead of charging again.
No Kafka publish and no order or stock change here: CDC carries the payment row to the streams.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from adapters import orders, payments
from adapters.gateway_wire import CardDetails
from config.logs import current
from domain.orders import OrderNotFound
from domain.payments import (
    card_last4,
    default_idempotency_key,
    ensure_payable,
    ensure_same_payment,
)
from services.context import Services

log = logging.getLogger(__name__)

RECONCILE_BATCH = 100


@dataclass(frozen=True)
class PaymentRequest:
    """What the customer pays: the order, the card, and the amount they were shown."""

    order_id: uuid.UUID
    card_details: CardDetails
    amount: Decimal


async def pay(
    services: Services,
    user_id: uuid.UUID,
    request: PaymentRequest,
    idempotency_key: str | None,
) -> dict:
    """The payment row after this request: settled, or still PENDING/UNKNOWN."""
    key = idempotency_key or default_idempotency_key(request.order_id)
    attempt = await _find_or_start_attempt(services, user_id, request, key)
    ensure_same_payment(
        attempt["order_id"], attempt["card_last4"], request.order_id, request.card_details.number
    )
    if payments.status_of(attempt).settled:
        return attempt
    outcome = await services.payment_gateway.charge(
        idempotency_key=str(attempt["payment_id"]),
        amount=attempt["amount"],
        currency=attempt["currency"],
        card=request.card_details,
        order_id=request.order_id,
    )
    async with services.unit_of_work() as uow:
        return await payments.record_outcome(uow.conn, attempt["payment_id"], outcome)


async def _find_or_start_attempt(
    services: Services, user_id: uuid.UUID, request: PaymentRequest, key: str
) -> dict:
    async with services.unit_of_work() as uow:
        conn = uow.conn
        attempt = await payments.existing_attempt(conn, user_id, key, request.order_id)
        if attempt is not None:
            return attempt
        order = await orders.payable_view(conn, request.order_id, user_id)
        if order is None:
            raise OrderNotFound(request.order_id)
        ensure_payable(order, request.amount)
        started = await payments.insert_pending(
            conn,
            order_id=request.order_id,
            user_id=user_id,
            idempotency_key=key,
            amount=order.total,
            currency=order.currency,
            card_last4=card_last4(request.card_details.number),
            request_id=current("request_id"),
        )
        if started:
            log.info("payment attempt started", extra={"order_id": str(request.order_id)})
        # None: a concurrent request won the unique index; resume its attempt.
        return started or await payments.existing_attempt(conn, user_id, key, request.order_id)


async def reconcile(
    services: Services, older_than_seconds: float, order_ids: Sequence[str] | None = None
) -> list[dict]:
    """Settles the attempts nobody came back for: each is asked of the gateway by its key
    (``PaymentGateway.void``), which tells the charge it made or its decline, or voids a key it
    never received so no later charge can take money under it. A success then confirms the
    order (or is refunded, if the order ended) through CDC like any other; an attempt the
    gateway still cannot answer waits ``older_than_seconds`` for the next try. All orders'
    attempts, or those of ``order_ids``."""
    async with services.unit_of_work() as uow:
        due = await payments.unanswered(uow.conn, older_than_seconds, RECONCILE_BATCH, order_ids)
    settled = []
    for attempt in due:
        outcome = await services.payment_gateway.void(str(attempt["payment_id"]))
        async with services.unit_of_work() as uow:
            if outcome.status.settled:
                settled.append(
                    await payments.record_outcome(uow.conn, attempt["payment_id"], outcome)
                )
            else:
                await payments.touch(uow.conn, attempt["payment_id"])
    for row in settled:
        log.info(
            "payment %s reconciled: %s",
            row["payment_id"],
            row["status"],
            extra={"order_id": str(row["order_id"])},
        )
    return settled
