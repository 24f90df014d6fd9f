"""Waiting for eventually-consistent state: derived stores follow Postgres through the streams."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    read: Callable[[], Awaitable[T]], expected: T, timeout: float = 10.0, interval: float = 0.1
) -> T:
    """Re-read until the value equals ``expected``; return the last value read either way."""
    deadline = time.monotonic() + timeout
    value = await read()
    while value != expected and time.monotonic() < deadline:
        await asyncio.sleep(interval)
        value = await read()
    return value
