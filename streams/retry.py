"""Retrying an agent's work in place until it succeeds (tenacity).

Faust acks a record even when the agent raises on it, so raising would lose the event. A
failing write (Postgres restarting, SMTP down) instead holds its partition back and retries
with exponential backoff, forever; the consumer lag shows the stall. The handlers are safe to
repeat (conditional writes, claims, version guards).
"""

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, wait_exponential

log = logging.getLogger(__name__)

T = TypeVar("T")

BACKOFF = wait_exponential(multiplier=0.2, max=10)


async def retry_forever(step: Callable[[], Awaitable[T]], what: str) -> T:
    """``await step()`` until it returns; each failure is logged with what was being done."""

    def failed(state: RetryCallState) -> None:
        pause = state.next_action.sleep if state.next_action else 0.0
        error = state.outcome.exception() if state.outcome else None
        log.error("%s failed; retrying in %.1fs", what, pause, exc_info=error)

    return await AsyncRetrying(wait=BACKOFF, before_sleep=failed)(step)
