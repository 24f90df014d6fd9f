"""Retrying an agent's I/O in place until it succeeds.

Faust acks a record even when the agent raises on it, so raising would lose the event. A
failing write (Postgres restarting, SMTP down) instead holds its partition back and retries
with backoff; the consumer lag shows the stall.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

FIRST_DELAY_SECONDS = 0.2
MAX_DELAY_SECONDS = 10.0

T = TypeVar("T")


async def until_done(step: Callable[[], Awaitable[T]], what: str) -> T:
    delay = FIRST_DELAY_SECONDS
    while True:
        try:
            return await step()
        except Exception:
            log.exception("%s failed; retrying in %.1fs", what, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY_SECONDS)
