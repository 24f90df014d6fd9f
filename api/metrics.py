"""Request latency histogram per route template, method and status, served on ``/metrics``.

The route label is the template (``/v1/products/{product_id}``), never the raw path, so the
number of series stays bounded. ``shopctl up`` runs the API with several uvicorn workers:
with ``PROMETHEUS_MULTIPROC_DIR`` set, each worker writes its samples there and ``/metrics``
aggregates them all, whichever worker answers the scrape.
"""

import ipaddress
import os
import time

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.metric_names import DEGRADED, HTTP_REQUEST_DURATION
from api.errors import error_body

REQUEST_DURATION = Histogram(
    HTTP_REQUEST_DURATION.name, HTTP_REQUEST_DURATION.help, HTTP_REQUEST_DURATION.labels
)
DEGRADED_REQUESTS = Counter(DEGRADED.name, DEGRADED.help, DEGRADED.labels)
UNMATCHED = "unmatched"  # 404s of unknown paths share one series


def install_metrics(app: FastAPI, networks: str) -> None:
    app.state.metrics_networks = metrics_networks(networks)
    app.add_middleware(RequestTimer)
    app.add_api_route("/metrics", _metrics, include_in_schema=False)


class RequestTimer:
    """Plain ASGI (not ``BaseHTTPMiddleware``, which costs a task and a stream per request):
    times each request until its response starts, labelled once routing has set the route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        observed = False

        def observe(status: int) -> None:
            nonlocal observed
            observed = True
            REQUEST_DURATION.labels(
                method=scope["method"], route=route_template(scope), status=str(status)
            ).observe(time.perf_counter() - started)

        async def send_timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                observe(message["status"])  # a stream (SSE) counts until its first byte
            await send(message)

        try:
            await self.app(scope, receive, send_timed)
        finally:
            if not observed:
                observe(500)


def route_template(scope: dict) -> str:
    """The matched route's template with the prefixes of the routers that include it.

    The route in the scope may be the router's own (``/products/{productId}``) rather than
    the prefixed copy, depending on the FastAPI version: its segments are the last ones of
    the concrete path, so the prefix is the concrete path's leading segments.
    """
    template = getattr(scope.get("route"), "path", None)
    if template is None:
        return UNMATCHED
    own_segments = template.count("/")
    prefix = "/".join(scope["path"].split("/")[:-own_segments])
    return prefix + template


def _metrics(request: Request) -> Response:
    """Only for clients in ``SHOP_METRICS_NETWORKS`` (loopback by default): everyone else
    gets the same 404 as any unknown path."""
    allowed = request.app.state.metrics_networks
    client = request.client.host if request.client else ""
    if not within(client, allowed):
        return JSONResponse(error_body("not_found", "Not Found"), status_code=404)
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)


def metrics_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(part.strip()) for part in text.split(",") if part.strip()]


def within(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry
