"""Giving money back through the gateway, once per payment.

The refund row is opened PENDING inside the transaction that decides the money must go back
(``services.cancellation``, ``services.settlement``); asking the gateway happens after that
commit, with the payment's refund key, so any number of asks is one refund. An ask that gets
no answer leaves the row PENDING or UNKNOWN, and ``retry_refunds`` (the orders worker's timer,
and ``shopctl audit --repair``) asks again until the gateway says yes or no.
"""

import logging
import uuid

from domain.payments import PaymentStatus, refund_idempotency_key
from services.context import Services

log = logging.getLogger(__name__)

RETRY_BATCH = 100


async def ask(services: Services, refund: dict) -> dict:
    """The refund row after asking the gateway (unchanged when it had already answered)."""
    if PaymentStatus(refund["status"]).settled:
        return refund
    outcome = await services.payment_gateway.refund(
        refund_idempotency_key(refund["payment_id"]),
        refund["charge_id"],
        refund["amount"],
        refund["order_id"],
    )
    order = {"order_id": str(refund["order_id"])}
    if outcome.status is PaymentStatus.SUCCEEDED:
        log.info("refunded payment %s", refund["payment_id"], extra=order)
    else:
        log.warning(
            "refund of payment %s: %s", refund["payment_id"], outcome.failure_reason, extra=order
        )
    async with services.unit_of_work() as uow:
        return await uow.refunds.record_outcome(refund["refund_id"], outcome)


async def refund_payment(services: Services, payment_id: uuid.UUID | str) -> dict | None:
    """Asks the gateway for the refund opened for this payment, if any."""
    async with services.unit_of_work() as uow:
        refund = await uow.refunds.of_payment(payment_id)
    return None if refund is None else await ask(services, refund)


async def retry_refunds(services: Services, older_than_seconds: float) -> list[dict]:
    """Asks again for every refund left unanswered for ``older_than_seconds``."""
    async with services.unit_of_work() as uow:
        due = await uow.refunds.unanswered(older_than_seconds, RETRY_BATCH)
    return [await ask(services, refund) for refund in due]
