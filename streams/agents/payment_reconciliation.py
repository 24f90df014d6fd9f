"""Payments and refunds the gateway has not answered are asked again until it does
(``services.payments.reconcile``, ``services.refunds.retry_refunds``): nothing paid stays in
limbo holding stock, and no refund is only written down."""

import logging

from services.payments import reconcile
from services.refunds import retry_refunds
from streams.app import app, settings
from streams.topology import AgentSpec, Timer, postgres
from streams.wiring import services

log = logging.getLogger(__name__)

AGENTS = (
    AgentSpec(
        "payment_reconciliation",
        Timer("payment_reconcile_interval_seconds"),
        sinks=(postgres("payments"), postgres("refunds"), "gateway:charges", "gateway:refunds"),
        reads=(postgres("payments"), postgres("refunds")),
    ),
)


@app.timer(interval=settings.payment_reconcile_interval_seconds, on_leader=True)
async def payment_reconciliation() -> None:
    handlers = await services()
    after = settings.payment_reconcile_after_seconds
    try:
        await reconcile(handlers, after)
        await retry_refunds(handlers, after)
    except Exception:
        # A raising timer would stop for good; the next tick retries instead.
        log.exception("payment reconciliation failed")
