"""Payment outcomes: a settled payment confirms its order and sells the held units, or fails
it and releases them; PENDING and UNKNOWN payments change nothing.

A success for an order that expired first does not touch stock (the units may be sold to
someone else by now): it is recorded as a ``refund_required`` notification and logged.
"""

import logging
from collections.abc import AsyncIterator

from faust import StreamT

from domain.payments import PaymentStatus
from domain.settlement import Decision, NoChange, RefundRequired, on_payment
from schemas.events import PaymentEvent
from schemas.topics import PAYMENTS
from streams.app import app, topic
from streams.ports import ports
from streams.records import after_image
from streams.retry import until_done
from streams.topology import AgentSpec, postgres

log = logging.getLogger(__name__)

AGENTS = (
    AgentSpec(
        "payment_outcomes",
        PAYMENTS,
        sinks=tuple(map(postgres, ("orders", "reservations", "inventory", "notifications"))),
    ),
)


@app.agent(topic(PAYMENTS))
async def payment_outcomes(records: StreamT[bytes]) -> AsyncIterator[Decision | None]:
    """Yields what each record did (tests read it; the worker has no sink for it)."""
    async for record in records:
        yield await apply_payment(record)


async def apply_payment(record: bytes | None) -> Decision | None:
    payment = after_image(PAYMENTS, PaymentEvent, record)
    if payment is None:
        return None
    status = PaymentStatus(payment.status)
    orders = (await ports()).orders
    decision = await until_done(
        lambda: orders.settle(payment.order_id, lambda state: on_payment(state, status)),
        f"settling order {payment.order_id} for payment {payment.payment_id}",
    )
    if isinstance(decision, RefundRequired):
        log.warning(
            "payment %s succeeded for order %s already %s: refund required",
            payment.payment_id,
            payment.order_id,
            decision.order_status,
        )
    elif not isinstance(decision, NoChange):
        log.info("order %s -> %s", payment.order_id, decision.order_status)
    return decision
