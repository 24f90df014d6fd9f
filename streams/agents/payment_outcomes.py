"""Payment outcomes: a settled payment confirms its order and sells the held units, or fails
it and releases them; a success for an order that already ended is refunded
(``services.settlement.settle_payment``)."""

from collections.abc import AsyncIterator
from functools import partial

from faust import StreamT

from config.logs import bound
from domain.settlement import Decision
from services.settlement import settle_payment
from streams.app import app, topic
from streams.dead_letters import typed
from streams.retry import retry_forever
from streams.topics import PAYMENTS
from streams.topology import AgentSpec, postgres
from streams.wiring import services

AGENTS = (
    AgentSpec(
        "payment_outcomes",
        PAYMENTS,
        sinks=(
            *map(postgres, ("orders", "reservations", "inventory", "refunds")),
            "gateway:refunds",
        ),
    ),
)


@app.agent(topic(PAYMENTS))
async def payment_outcomes(records: StreamT[bytes]) -> AsyncIterator[Decision | None]:
    """Yields what each record did (tests read it; the worker has no sink for it)."""
    async for key, value in records.items():
        payment = typed(PAYMENTS, key, value)
        if payment is None:
            yield None
            continue
        handlers = await services()
        with bound(order_id=payment.order_id, request_id=payment.request_id):
            done = await retry_forever(
                partial(settle_payment, handlers, payment),
                f"settling order {payment.order_id} for payment {payment.payment_id}",
            )
        yield done
