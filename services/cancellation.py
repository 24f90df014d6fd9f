"""The customer cancels an order before it ships.

One transaction decides and writes it (``domain.settlement.on_cancel`` applied as settlements
are: stock, holds, discount redemption), opening a refund when the order was paid; then the
refund is asked of the payment gateway, outside the transaction, with the payment's refund key.
Cancelling again changes nothing and asks the gateway again only while the refund has no
answer yet, with the same key: the customer is never refunded twice.
"""

import logging
import uuid
from dataclasses import dataclass

from adapters import orders, refunds
from adapters.payment_gateway import PaymentGateway
from domain.orders import OrderNotFound, OrderStatus
from domain.payments import PaymentStatus, refund_idempotency_key
from domain.settlement import Settle, on_cancel
from services.context import Services
from services.settlement import apply_decisions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cancellation:
    order_id: uuid.UUID
    status: OrderStatus
    refund: dict | None
    """The refunds row (with the charge it gives back), or None: nothing was paid."""


async def cancel(
    services: Services, gateway: PaymentGateway, order_id: uuid.UUID, user_id: uuid.UUID
) -> Cancellation:
    """Raises OrderNotFound (not the caller's) or NotCancellable (shipped, ended, paying)."""
    async with services.unit_of_work() as uow:
        if not await orders.exists_for(uow.conn, order_id, user_id):
            raise OrderNotFound(order_id)
        state = await uow.settlement.lock_order(str(order_id))
        if state is None:
            raise OrderNotFound(order_id)
        decision = on_cancel(state)
        await apply_decisions(uow.settlement, [(state, decision)])
        if isinstance(decision, Settle) and decision.refunds_payment:
            await refunds.open_for_order(uow.conn, order_id)
    if isinstance(decision, Settle):
        log.info("order %s cancelled by its owner", order_id)
    return Cancellation(order_id, OrderStatus.CANCELLED, await _refund(services, gateway, order_id))


async def _refund(services: Services, gateway: PaymentGateway, order_id: uuid.UUID) -> dict | None:
    """The order's refund, asked of the gateway unless it has answered already."""
    async with services.engines.pg.connection() as conn:
        refund = await refunds.of_order(conn, order_id)
    if refund is None or PaymentStatus(refund["status"]).settled:
        return refund
    outcome = await gateway.refund(
        refund_idempotency_key(refund["payment_id"]),
        refund["charge_id"],
        refund["amount"],
        order_id,
    )
    if outcome.status is not PaymentStatus.SUCCEEDED:
        log.warning("refund for order %s: %s", order_id, outcome.failure_reason)
    async with services.unit_of_work() as uow:
        return await refunds.record_outcome(uow.conn, refund["refund_id"], outcome)
