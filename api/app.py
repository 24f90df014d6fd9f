"""FastAPI application factory: thin edges over Postgres, Mongo, Redis and Elasticsearch."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from adapters.connections import open_clients
from api.errors import install_error_handlers
from api.gateway import open_gateway
from api.metrics import install_metrics
from api.passwords import PasswordHashing
from api.prices import PriceReader
from api.rate_limit import limit_by_ip
from api.routers import ROUTERS
from api.tokens import TokenKeys
from schemas.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Refuses (``KeyRefused``) to build an app without a sound token signing key."""
    settings = settings or get_settings()
    keys = TokenKeys.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_clients(settings) as clients, open_gateway(settings) as gateway:
            app.state.clients = clients
            app.state.gateway = gateway
            app.state.prices = PriceReader(clients.mongo)
            app.state.keys = keys
            app.state.hashing = PasswordHashing(
                settings.password_hash_concurrency, settings.password_hash_queue
            )
            yield

    app = FastAPI(
        title="shopstream storefront",
        version="1",
        lifespan=lifespan,
        dependencies=[Depends(limit_by_ip)],
    )
    install_error_handlers(app)
    install_metrics(app)
    for router in ROUTERS:
        app.include_router(router, prefix="/v1")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """Liveness for `shopctl status` and container health checks."""
        return {"status": "ok"}

    return app
