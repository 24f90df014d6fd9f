"""Many writes at once, but not too many: an engine answers a bounded crowd faster."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


async def bounded(
    works: Sequence[Awaitable[T]], limit: int, done: Callable[[int], None] = lambda _: None
) -> list[T]:
    """Await ``works`` at most ``limit`` at a time; their results in order. ``done`` is told
    how many have finished after each one (a progress hook)."""
    gate = asyncio.Semaphore(limit)
    finished = 0

    async def one(work: Awaitable[T]) -> T:
        nonlocal finished
        async with gate:
            result = await work
        finished += 1
        done(finished)
        return result

    return await asyncio.gather(*(one(work) for work in works))
