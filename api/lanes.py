"""What the storefront's lanes share: middlewares that answer a hot request from Redis alone,
in one round trip, before FastAPI's routing and dependencies run.

A lane answers only when it can give exactly the route's answer; anything else goes on to
the route unchanged. It counts the request against the client address's limit in the same
round trip and marks the request (``IP_COUNTED``) so the route does not count it again. Its
answers pass through the same middlewares as the route's (request log, security headers,
request metric under the route's template).
"""

from collections.abc import Awaitable, Callable

from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import api_error_response
from api.rate_limit import IP_COUNTED, over_limit, window_key
from config import Settings

Answer = Callable[[Scope, Receive], Awaitable[Response | None]]
"""A lane's own work: its response, or None to let the route answer (may read the body
through the ``Receive`` given, which then replays it to the route)."""


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def address_counter(scope: Scope, settings: Settings) -> str:
    """The key counting the client address's requests in the current window."""
    client = scope.get("client")
    address = client[0] if client else "unknown"
    return window_key("ip", address, settings.rate_limit_window_seconds)


def counted(scope: Scope, hits: int, settings: Settings) -> Response | None:
    """Marks the address as counted for this request; the 429 once it is over its limit."""
    scope[IP_COUNTED] = True
    window = settings.rate_limit_window_seconds
    limited = over_limit(hits, settings.rate_limit_per_ip, window)
    return None if limited is None else api_error_response(limited)


class Lane:
    """Plain ASGI: ``answer`` the requests ``takes`` selects, else the route."""

    def __init__(
        self,
        app: ASGIApp,
        method: str,
        template: str,
        takes: Callable[[Scope], bool],
        answer: Answer,
        passes_on: tuple[type[Exception], ...] = (),
    ) -> None:
        self.app = app
        self.method = method
        self.template = template
        self.takes = takes
        self.answer = answer
        self.passes_on = passes_on  # failures after which the route answers instead
        self._route: Route | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != self.method or not self.takes(scope):
            await self.app(scope, receive, send)
            return
        replay = Replay(receive)
        try:
            response = await self.answer(scope, replay)
        except self.passes_on:
            response = None
        if response is None:
            await self.app(scope, replay, send)
            return
        scope["route"] = self.route(scope)  # the request metric's label
        await response(scope, replay, send)

    def route(self, scope: Scope) -> Route | None:
        """The route the lane stands in for (found once, after every router is included)."""
        if self._route is None:
            self._route = next(
                (
                    route
                    for route in scope["app"].router.routes
                    if getattr(route, "path", None) == self.template
                    and self.method in (getattr(route, "methods", None) or ())
                ),
                None,
            )
        return self._route


class Replay:
    """``receive`` for a lane that may read the body: the route gets every message again."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.read: list[dict] = []
        self.replayed = 0

    async def __call__(self) -> dict:
        if self.replayed < len(self.read):
            self.replayed += 1
            return self.read[self.replayed - 1]
        return await self.receive()

    async def body(self, limit: int) -> bytes | None:
        """The whole body, or None when it is longer than ``limit`` or the client left."""
        size = 0
        while True:
            message = await self.receive()
            self.read.append(message)
            if message["type"] != "http.request":
                return None
            size += len(message.get("body", b""))
            if size > limit:
                return None
            if not message.get("more_body", False):
                return b"".join(m.get("body", b"") for m in self.read)
