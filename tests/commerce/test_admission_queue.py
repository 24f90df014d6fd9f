"""The storefront's line and its view of the loop (``api.admission``): asyncio, no I/O."""

import asyncio
import time

import pytest

from api.admission import ON_SHED, AdmissionQueue, Overload, WaitInLine


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_requests_work_at_once_up_to_the_concurrency() -> None:
    queue = AdmissionQueue(concurrency=2, max_wait=1.0)
    assert None not in [await queue.enter(), await queue.enter()]
    assert (queue.active, len(queue.waiting)) == (2, 0)


async def test_the_line_moves_in_arrival_order_and_the_place_is_handed_over() -> None:
    queue = AdmissionQueue(concurrency=1, max_wait=5.0)
    started = await queue.enter()
    assert started is not None
    order: list[str] = []

    async def waiter(name: str) -> None:
        mine = await queue.enter()
        assert mine is not None
        order.append(name)
        await asyncio.sleep(0)
        queue.leave(mine)

    first = asyncio.create_task(waiter("first"))
    await asyncio.sleep(0)
    second = asyncio.create_task(waiter("second"))
    await asyncio.sleep(0)
    assert order == [] and len(queue.waiting) == 2
    queue.leave(started)
    await asyncio.gather(first, second)
    assert order == ["first", "second"]
    assert (queue.active, len(queue.waiting)) == (0, 0)


async def test_a_request_waits_at_most_max_wait_then_is_shed() -> None:
    queue = AdmissionQueue(concurrency=1, max_wait=0.05)
    started = await queue.enter()
    assert started is not None
    assert await queue.enter() is None
    queue.leave(started)  # the shed request's cancelled turn is skipped, the place freed
    assert (queue.active, len(queue.waiting)) == (0, 0)
    assert await queue.enter() is not None


async def test_a_line_longer_than_the_wait_allowed_is_shed_at_once() -> None:
    """Two at work, each recently for 1.5 s: joining behind one waiter means 1.5 s."""
    clock = Clock()
    queue = AdmissionQueue(concurrency=2, max_wait=1.2, clock=clock)
    first, second = await queue.enter(), await queue.enter()
    waiter = asyncio.create_task(queue.enter())
    await asyncio.sleep(0)
    clock.now = 1.0
    assert first is not None and second is not None
    queue.leave(first)  # its place goes to the waiter
    assert queue.work_seconds == pytest.approx(0.2)  # smoothed towards 1 s
    third = await waiter
    assert third is not None
    behind = asyncio.create_task(queue.enter())  # (0 + 1) x 0.2 s / 2: in line
    await asyncio.sleep(0)
    queue.work_seconds = 1.5
    assert queue.expected_wait() == pytest.approx(1.5)  # one ahead, then this one: 2 x 1.5 / 2

    started = asyncio.get_running_loop().time()
    assert await queue.enter() is None
    assert asyncio.get_running_loop().time() - started < 0.1
    queue.leave(second)
    last = await behind
    for mine in (third, last):
        assert mine is not None
        queue.leave(mine)
    assert (queue.active, len(queue.waiting)) == (0, 0)


async def test_a_waiter_cancelled_after_its_turn_came_passes_the_place_on() -> None:
    queue = AdmissionQueue(concurrency=1, max_wait=5.0)
    started = await queue.enter()
    assert started is not None
    cancelled = asyncio.create_task(queue.enter())
    behind = asyncio.create_task(queue.enter())
    await asyncio.sleep(0)
    queue.leave(started)  # the turn goes to ``cancelled``...
    cancelled.cancel()  # ...which gives up before it runs
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    last = await behind
    assert last is not None
    queue.leave(last)
    assert (queue.active, len(queue.waiting)) == (0, 0)


async def turns(count: int = 3) -> None:
    """Lets the loop run what is due (the lateness watch's callback among it)."""
    for _ in range(count):
        await asyncio.sleep(0)


async def test_a_pause_of_the_loop_sheds_nothing_but_a_loop_late_for_long_does() -> None:
    overload = Overload(concurrency=1, max_wait=0.08)  # late: beyond 20 ms, for 80 ms
    assert not overload.late()  # starts watching this loop
    time.sleep(0.05)  # the loop blocked once: a garbage collection, a test between requests
    await turns()
    assert overload.late_since is not None
    assert not overload.late()
    for _ in range(3):  # and again and again: requests wait unseen
        time.sleep(0.05)
        await turns()
    assert overload.late()
    deadline = time.monotonic() + 5
    while overload.late():  # on time again
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)


async def test_a_request_shed_from_the_line_undoes_what_a_lane_did_for_it() -> None:
    """``ON_SHED``: an order a lane admitted at the stock gate gives its units back when the
    line sheds the request (driven as ASGI, no server)."""
    release = asyncio.Event()
    undone: list[str] = []

    async def app(scope: dict, receive: object, send: object) -> None:
        await release.wait()

    line = WaitInLine(app, Overload(concurrency=1, max_wait=0.05))
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    def scope(**extra: object) -> dict:
        return {"type": "http", "path": "/v1/checkout", "method": "POST", "headers": []} | extra

    async def undo() -> None:
        undone.append("released")

    working = asyncio.create_task(line(scope(), receive, send))
    await asyncio.sleep(0)
    await line(scope(**{ON_SHED: undo}), receive, send)
    release.set()
    await working

    assert sent[0]["status"] == 503
    assert undone == ["released"]
