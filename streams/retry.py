"""Retry an idempotent write until the engine takes it: an engine outage pauses a stream.

Crashing the agent instead would stop it for good (Faust does not restart crashed agents),
and skipping the record would lose it. Only connection-level failures are retried; a bad
record or a rejected request still fails loudly.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import elasticsearch
import psycopg
import pymongo.errors
import redis.exceptions

log = logging.getLogger(__name__)

TRANSIENT: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    pymongo.errors.AutoReconnect,
    pymongo.errors.ServerSelectionTimeoutError,
    elasticsearch.TransportError,
    psycopg.OperationalError,
)
MAX_DELAY_SECONDS = 5.0

Item = TypeVar("Item")


async def until_done(write: Callable[[Item], Awaitable[None]], item: Item) -> None:
    delay = 0.1
    while True:
        try:
            return await write(item)
        except TRANSIENT as exc:
            log.warning("writing %r failed (%r); retrying in %.1fs", item, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY_SECONDS)
