"""Reservation expiry: unpaid RESERVED orders whose holds ran out give the stock back, EXPIRED.

A timer, not a table of deadlines: the holds and their ``expires_at`` live in Postgres, so a
worker restart loses nothing and every worker could sweep (SKIP LOCKED, conditional writes);
only the leader does, to keep the load down.
"""

import logging
from datetime import UTC, datetime

from domain.settlement import Decision, Settle, on_expiry
from streams.app import app, settings
from streams.ports import ports
from streams.topology import AgentSpec, Timer, postgres

log = logging.getLogger(__name__)

AGENTS = (
    AgentSpec(
        "reservation_expiry",
        Timer("reservation_expiry_interval_seconds"),
        sinks=tuple(map(postgres, ("orders", "reservations", "inventory"))),
    ),
)


@app.timer(interval=settings.reservation_expiry_interval_seconds, on_leader=True)
async def reservation_expiry() -> None:
    try:
        await expire_due(datetime.now(UTC))
    except Exception:
        # A raising timer would stop for good; the next tick retries instead.
        log.exception("reservation expiry sweep failed")


async def expire_due(now: datetime) -> list[Decision]:
    """Sweep in batches until one comes back short or expires nothing (no endless loop over
    orders that a concurrent payment made ineligible after they were picked)."""
    orders = (await ports()).orders
    batch = settings.reservation_expiry_batch
    decisions: list[Decision] = []
    while True:
        swept = await orders.settle_expired(now, lambda state: on_expiry(state, now), batch)
        decisions += swept
        if len(swept) < batch or not any(isinstance(d, Settle) for d in swept):
            break
    expired = sum(isinstance(d, Settle) for d in decisions)
    if expired:
        log.info("expired %d orders", expired)
    return decisions
