"""Wire the handlers' ``Services`` to the real engines: one place for the API, the stream
workers and the CLI (tests build ``Services`` from fakes the same way, tests/support)."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from adapters.catalog_store import CatalogQuantity
from adapters.connections import open_clients
from adapters.payment_gateway import open_gateway
from adapters.product_cache import ProductCache
from adapters.search_writer import SearchWriter
from adapters.smtp import SmtpMailer
from adapters.status_feed import RedisStatusFeed
from adapters.stock_cache import StockMirror
from adapters.unit_of_work import PostgresUnitOfWork
from config import Settings
from services.context import Services


@asynccontextmanager
async def open_services(
    settings: Settings, pool_size: int | None = None
) -> AsyncIterator[Services]:
    """The engines' connections (and the payment gateway's client, where its secret is set),
    open for as long as the block runs."""
    async with AsyncExitStack() as stack:
        clients = await stack.enter_async_context(open_clients(settings, pool_size))
        gateway = (
            await stack.enter_async_context(open_gateway(settings))
            if settings.gateway_secret is not None
            else None
        )
        yield Services(
            settings=settings,
            unit_of_work=lambda: PostgresUnitOfWork(clients.pg),
            status_feed=RedisStatusFeed(clients.redis),
            mailer=SmtpMailer(settings.smtp_host, settings.smtp_port),
            stock_mirror=StockMirror(clients.redis),
            catalog_quantity=CatalogQuantity(clients.mongo),
            search=SearchWriter(clients.es, settings.search_alias),
            products=ProductCache(clients.redis),
            clients=clients,
            gateway=gateway,
        )
