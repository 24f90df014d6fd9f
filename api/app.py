"""FastAPI application factory: thin edges over Postgres, Mongo, Redis and Elasticsearch."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request

from adapters.passwords import PasswordHashing
from adapters.prices import PriceReader
from adapters.product_cache import ProductCache
from adapters.status_feed import StatusFanout
from adapters.tokens import KeyRefused, TokenKeys
from api.admission import Overload, ShedWhenLate, WaitInLine
from api.docs import install_docs
from api.errors import install_error_handlers
from api.health import dependency_health
from api.metrics import install_metrics
from api.openapi import DESCRIPTION, TAGS, error_responses, install_openapi, operation_id
from api.product_page import product_page_lane
from api.rate_limit import limit_by_ip
from api.request_log import install_request_log
from api.routers import ROUTERS
from api.security_headers import install_security_headers
from api.sold_out import sold_out_lane
from config import Settings, get_settings
from services.bootstrap import open_services


class SecretMissing(RuntimeError):
    """A secret the storefront cannot run without is missing or unsound."""


def check_secrets(settings: Settings) -> TokenKeys:
    """The token keys, once the signing key and the shared secrets are known to be sound."""
    for name in ("gateway_secret", "carrier_webhook_secret", "account_token_secret"):
        if getattr(settings, name) is None:
            raise SecretMissing(f"SHOP_{name.upper()} is not set (`make up` generates one)")
    try:
        return TokenKeys.from_settings(settings)
    except KeyRefused as exc:
        raise SecretMissing(str(exc)) from exc


def create_app(settings: Settings | None = None) -> FastAPI:
    """Refuses (``SecretMissing``) to build an app without its secrets."""
    settings = settings or get_settings()
    keys = check_secrets(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_services(settings) as services:
            app.state.services = services
            app.state.prices = PriceReader(
                services.engines.mongo, ProductCache(services.engines.redis)
            )
            app.state.keys = keys
            app.state.hashing = PasswordHashing(
                settings.password_hash_concurrency, settings.password_hash_queue
            )
            app.state.status_fanout = StatusFanout(settings.redis_url)
            try:
                yield
            finally:
                await app.state.status_fanout.close()

    app = FastAPI(
        title="shopstream storefront",
        version="1",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
        docs_url=None,  # api.docs serves them from the app's own files, not a CDN
        redoc_url=None,
    )
    install_openapi(app)
    install_docs(app)
    install_error_handlers(app)
    overload = Overload(settings.api_concurrency, settings.api_max_queue_seconds)
    app.add_middleware(WaitInLine, overload=overload)  # innermost
    # The lanes: timed, logged and headed like their routes, answered without waiting in line.
    app.add_middleware(sold_out_lane)
    app.add_middleware(product_page_lane)
    install_metrics(app, settings.metrics_networks)
    install_security_headers(app)
    install_request_log(app)
    app.add_middleware(ShedWhenLate, overload=overload)  # outermost
    for router in ROUTERS:
        # The per-IP limit covers the API, not /healthz or /metrics: probes never spend it.
        # Every route may answer the limits (429) and a dependency down (503); FastAPI adds
        # the 422 to each route with parameters or a body (``api.openapi`` gives it our shape).
        app.include_router(
            router,
            prefix="/v1",
            dependencies=[Depends(limit_by_ip)],
            responses=error_responses(429, 503),
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz(request: Request) -> dict:
        """Liveness (always 200) with each dependency's state: `shopctl status`, containers."""
        return await dependency_health(request.app.state.services.engines)

    return app
