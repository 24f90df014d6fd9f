"""Reservation expiry: unpaid RESERVED orders whose holds ran out give the stock back, EXPIRED.

A timer, not a table of deadlines: the holds and their ``expires_at`` live in Postgres, so a
worker restart loses nothing and every worker could sweep (SKIP LOCKED, conditional writes);
only the leader does, to keep the load down.
"""

import logging
from datetime import UTC, datetime

from services.settlement import expire_holds
from streams.app import app, settings
from streams.topology import AgentSpec, Timer, postgres
from streams.wiring import services

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
        await expire_holds(await services(), datetime.now(UTC))
    except Exception:
        # A raising timer would stop for good; the next tick retries instead.
        log.exception("reservation expiry sweep failed")
