"""What one storefront process takes on: a few requests at work, the rest briefly in line,
and an immediate 503 for those that could not be answered in time.

Without it every request that arrived was started at once: past capacity they all slowed each
other down, answers took 5 to 14 seconds and some connections dropped. Two guards, one
``Overload`` per process:

- ``ShedWhenLate`` (outermost) answers 503 at once once the event loop has run late for longer
  than a request may wait: the requests it has not read yet have waited that long, unseen by
  any line.
- ``WaitInLine`` (innermost, after the flash sale's refusals, which cost less than waiting)
  keeps at most ``concurrency`` requests at work; later ones wait in arrival order, each at
  most ``max_wait`` seconds, and one whose expected wait (the line ahead of it, served
  ``concurrency`` at a time for the recent time a request spends at work) is already longer
  is answered at once.

A shed request has done nothing, so retrying it after ``Retry-After`` is always safe; a
request admitted is never dropped.

Each response also closes its connection with a small probability: processes accept
connections, not requests, so a client keeping a few connections alive (an edge's pool, a load
generator) would otherwise stay with whichever process accepted them. Reconnecting lets the
kernel (``SO_REUSEPORT``) deal the connection again.
"""

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Callable

from fastapi.responses import JSONResponse
from prometheus_client import Counter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.metric_names import SHED
from api.errors import error_body

log = logging.getLogger(__name__)

SHED_REQUESTS = Counter(SHED.name, SHED.help, SHED.labels)
RETRY_AFTER_SECONDS = 1
RECYCLE_SHARE = 0.01
"""The share of responses that close their connection (about one in a hundred requests)."""
SMOOTHING = 0.2
"""Weight of the newest request's time at work in the running estimate."""
LAG_SHARE = 0.25
"""A loop running this share of the allowed wait late sheds: the requests it has not read yet
have waited about that long already, unseen by the line."""
LAG_PERIOD = 0.02
ON_SHED = "shopstream.on_shed"
"""A request's scope may hold, under this key, what undoes work a lane did for it before the
line (an order it admitted at the stock gate): run when the request is shed."""


class AdmissionQueue:
    """The counting and the line, with no I/O (the middleware below is the ASGI side)."""

    def __init__(
        self, concurrency: int, max_wait: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.concurrency = concurrency
        self.max_wait = max_wait
        self.clock = clock
        self.active = 0
        self.waiting: deque[asyncio.Future[None]] = deque()
        self.work_seconds = 0.0  # recent time a request spends at work (smoothed)

    def expected_wait(self) -> float:
        """How long a request joining the line now would wait: everyone ahead of it served
        ``concurrency`` at a time, each for the recent time at work."""
        return (len(self.waiting) + 1) * self.work_seconds / self.concurrency

    async def enter(self) -> float | None:
        """When the request's work starts (give it to ``leave``), or None to shed it."""
        if self.active < self.concurrency and not self.waiting:
            self.active += 1
            return self.clock()
        if self.expected_wait() > self.max_wait:
            return None
        turn = asyncio.get_running_loop().create_future()
        self.waiting.append(turn)
        try:
            async with asyncio.timeout(self.max_wait):
                await turn
        except BaseException as exc:
            if turn.done() and not turn.cancelled():
                self._pass_on()  # handed a place just as it gave up
            else:
                turn.cancel()
            if isinstance(exc, TimeoutError):
                return None
            raise
        return self.clock()

    def leave(self, started: float) -> None:
        """A request is done: its place goes to the first one still waiting."""
        self.work_seconds += SMOOTHING * (self.clock() - started - self.work_seconds)
        self._pass_on()

    def _pass_on(self) -> None:
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.active -= 1


def unqueued(scope: Scope) -> bool:
    """Probes, scrapes and live status streams (which stay open) never wait in line."""
    path: str = scope["path"]
    return path in ("/healthz", "/metrics") or path.endswith("/events")


class Overload:
    """One process's line and its view of the event loop's lateness, and how it sheds."""

    def __init__(self, concurrency: int, max_wait: float) -> None:
        self.queue = AdmissionQueue(concurrency, max_wait)
        self.lag = 0.0  # how late the loop ran the last callback due
        self.late_since: float | None = None  # since when every callback ran late
        self._watched: asyncio.AbstractEventLoop | None = None
        self._warned_at = 0.0

    def late(self) -> bool:
        """The loop has run every callback late for longer than a request may wait: requests
        it has not read yet have waited about that long. A pause or a burst the processes
        work through within that time sheds nothing."""
        loop = self._watch_lag()
        return self.late_since is not None and loop.time() - self.late_since > self.queue.max_wait

    def _watch_lag(self) -> asyncio.AbstractEventLoop:
        """Keeps ``lag`` as the lateness of a callback due every ``LAG_PERIOD`` on the loop
        serving requests (started with its first request)."""
        loop = asyncio.get_running_loop()
        if self._watched is loop:
            return loop
        self._watched = loop

        def tick(due: float) -> None:
            if self._watched is not loop:
                return  # requests are served on another loop now (tests start several)
            now = loop.time()
            self.lag = max(0.0, now - due)
            if self.lag <= LAG_SHARE * self.queue.max_wait:
                self.late_since = None
            elif self.late_since is None:
                self.late_since = due
            loop.call_at(now + LAG_PERIOD, tick, now + LAG_PERIOD)

        tick(loop.time())
        return loop

    async def shed(self, scope: Scope, receive: Receive, send: Send) -> None:
        SHED_REQUESTS.inc()
        if (undo := scope.get(ON_SHED)) is not None:
            await undo()
        now = time.monotonic()
        if now - self._warned_at > 1:
            self._warned_at = now
            log.warning(
                "overloaded: shedding requests (%d at work for %.0f ms each, %d waiting,"
                " loop %.0f ms late)",
                self.queue.active,
                self.queue.work_seconds * 1000,
                len(self.queue.waiting),
                self.lag * 1000,
            )
        response = JSONResponse(
            error_body("overloaded", f"too busy right now; retry in {RETRY_AFTER_SECONDS}s"),
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
        await response(scope, receive, send)


class ShedWhenLate:
    """Plain ASGI, outermost: a request shed here costs no other middleware's work."""

    def __init__(self, app: ASGIApp, overload: Overload) -> None:
        self.app = app
        self.overload = overload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or unqueued(scope):
            await self.app(scope, receive, send)
        elif self.overload.late():
            await self.overload.shed(scope, receive, send)
        else:
            await self.app(scope, receive, _recycling(send))


class WaitInLine:
    """Plain ASGI, just before routing: the request waits for its turn or is shed."""

    def __init__(self, app: ASGIApp, overload: Overload) -> None:
        self.app = app
        self.overload = overload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        queue = self.overload.queue
        if scope["type"] != "http" or unqueued(scope):
            await self.app(scope, receive, send)
        elif (started := await queue.enter()) is None:
            await self.overload.shed(scope, receive, send)
        else:
            try:
                await self.app(scope, receive, send)
            finally:
                queue.leave(started)


def _recycling(send: Send) -> Send:
    async def send_recycling(message: Message) -> None:
        if message["type"] == "http.response.start" and random.random() < RECYCLE_SHARE:
            MutableHeaders(scope=message)["Connection"] = "close"
        await send(message)

    return send_recycling
