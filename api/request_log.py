"""A request id for every storefront request, and one JSON log line when it is answered.

The id comes from the caller's ``X-Request-ID`` when it is a plausible one (a proxy's id then
carries through), else a new one; it is bound to every log line of the request, written on
the rows the request creates (orders, payments: their CDC records carry it to the stream
workers) and returned in the response's ``X-Request-ID``.
"""

import logging
import time

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config.logs import REQUEST_ID_HEADER, bound, request_id_from

log = logging.getLogger("api.requests")

_HEADER_BYTES = REQUEST_ID_HEADER.encode()  # ASGI header names: lower-case bytes
UNLOGGED = ("/healthz", "/metrics")
"""Probes and scrapes: a line each every few seconds would drown the requests."""


def install_request_log(app: FastAPI) -> None:
    app.add_middleware(RequestLog)


class RequestLog:
    """Plain ASGI, like the other middlewares: no task or stream per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        claimed = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == _HEADER_BYTES), None
        )
        request_id = request_id_from(claimed)
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with bound(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if not scope["path"].startswith(UNLOGGED):
                    log.info(
                        "%s %s %d",
                        scope["method"],
                        scope["path"],
                        status,
                        extra={
                            "method": scope["method"],
                            "path": scope["path"],
                            "status": status,
                            "ms": round((time.perf_counter() - started) * 1000, 1),
                        },
                    )
