"""The storefront's line (``api.admission.AdmissionQueue``): pure asyncio, no I/O."""

import asyncio

import pytest

from api.admission import AdmissionQueue


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_requests_work_at_once_up_to_the_concurrency() -> None:
    queue = AdmissionQueue(concurrency=2, max_wait=1.0)
    assert [await queue.enter(), await queue.enter()] == [True, True]
    assert (queue.active, len(queue.waiting)) == (2, 0)


async def test_the_line_moves_in_arrival_order_and_the_place_is_handed_over() -> None:
    queue = AdmissionQueue(concurrency=1, max_wait=5.0)
    assert await queue.enter()
    order: list[str] = []

    async def waiter(name: str) -> None:
        assert await queue.enter()
        order.append(name)

    first = asyncio.create_task(waiter("first"))
    await asyncio.sleep(0)
    second = asyncio.create_task(waiter("second"))
    await asyncio.sleep(0)
    queue.leave()
    await first
    queue.leave()
    await second
    queue.leave()
    assert order == ["first", "second"]
    assert (queue.active, len(queue.waiting)) == (0, 0)


async def test_a_request_waits_at_most_max_wait_then_is_shed() -> None:
    queue = AdmissionQueue(concurrency=1, max_wait=0.05)
    assert await queue.enter()
    assert not await queue.enter()
    queue.leave()  # the shed request's cancelled turn is skipped, the place freed
    assert (queue.active, len(queue.waiting)) == (0, 0)
    assert await queue.enter()


async def test_a_line_longer_than_the_wait_allowed_is_shed_at_once() -> None:
    """Completions one second apart: joining behind one waiter means two seconds."""
    clock = Clock()
    queue = AdmissionQueue(concurrency=1, max_wait=1.5, clock=clock)
    assert await queue.enter()
    waiting = [asyncio.create_task(queue.enter()) for _ in range(2)]
    await asyncio.sleep(0)
    clock.now = 1.0
    queue.leave()  # the first waiter's turn, one second after the line formed
    assert await waiting[0]
    assert queue.interval == pytest.approx(0.2)  # smoothed towards 1 s
    queue.interval = 1.0

    started = asyncio.get_running_loop().time()
    assert not await queue.enter()
    assert asyncio.get_running_loop().time() - started < 0.01
    clock.now = 2.0
    queue.leave()
    assert await waiting[1]
    queue.leave()
    assert (queue.active, len(queue.waiting)) == (0, 0)


async def test_a_waiter_cancelled_after_its_turn_came_passes_the_place_on() -> None:
    queue = AdmissionQueue(concurrency=1, max_wait=5.0)
    assert await queue.enter()
    cancelled = asyncio.create_task(queue.enter())
    behind = asyncio.create_task(queue.enter())
    await asyncio.sleep(0)
    queue.leave()  # the turn goes to ``cancelled``...
    cancelled.cancel()  # ...which gives up before it runs
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert await behind
    queue.leave()
    assert (queue.active, len(queue.waiting)) == (0, 0)
