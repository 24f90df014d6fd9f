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

from adapters import orders
from domain.orders import OrderNotFound, OrderStatus
from domain.settlement import Settle, on_cancel
from services import refunds
from services.context import Services
from services.settlement import apply_decisions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cancellation:
    order_id: uuid.UUID
    status: OrderStatus
    refund: dict | None
    """The refunds row (with the charge it gives back), or None: nothing was paid."""


async def cancel(services: Services, order_id: uuid.UUID, user_id: uuid.UUID) -> Cancellation:
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
            await uow.refunds.open_for_order(order_id)
        refund = await uow.refunds.of_order(order_id)
    if isinstance(decision, Settle):
        log.info("order %s cancelled by its owner", order_id)
    if refund is not None:
        refund = await refunds.ask(services, refund)
    return Cancellation(order_id, OrderStatus.CANCELLED, refund)
