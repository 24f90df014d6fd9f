"""Timing calls with a fixed number in flight: the loop every bench shares."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


async def timed_lanes(
    call: Callable[[T], Awaitable[object]], items: Iterable[T], in_flight: int
) -> tuple[float, list[float]]:
    """(wall seconds, seconds of each call) of ``call`` over ``items``, ``in_flight`` at a time."""
    pending = iter(items)
    timings: list[float] = []

    async def lane() -> None:
        for item in pending:
            started = time.perf_counter()
            await call(item)
            timings.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(in_flight)))
    return time.perf_counter() - started, timings
