"""Fixtures of the catalog flow tests: the in-memory sinks the agents write to, and an isolated
stream worker on the real engines for the end-to-end tests."""

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
import pytest
from redis import Redis

from adapters import catalog_store, inventory_store
from adapters.catalog_documents import Product, ProductListing
from adapters.connections import Clients, open_clients
from adapters.migrations import apply_migrations
from adapters.stock_cache import StockKeys
from config import Settings
from harness.kafka_log import Offsets
from harness.streams_worker import IsolatedWorker, running_worker
from services.context import Services
from tests.support.memory import MemoryProducts, MemorySearch, MemoryStock


@pytest.fixture
def memory_cache(fakes: Services) -> MemoryStock:
    return fakes.stock_mirror  # type: ignore[return-value]


@pytest.fixture
def memory_quantity(fakes: Services) -> MemoryStock:
    return fakes.catalog_quantity  # type: ignore[return-value]


@pytest.fixture
def memory_search(fakes: Services) -> MemorySearch:
    return fakes.search  # type: ignore[return-value]


@pytest.fixture
def memory_products(fakes: Services) -> MemoryProducts:
    return fakes.products  # type: ignore[return-value]


ENGINES = ("postgres", "redis", "kafka", "elasticsearch", "ferretdb", "connect")


@dataclass
class Pipeline:
    """An isolated stream worker plus where the shared CDC topics stood when it started."""

    worker: IsolatedWorker
    cdc_start: Offsets

    @property
    def settings(self) -> Settings:
        return self.worker.settings


@pytest.fixture(scope="module")  # stopped before other suites: they seed Redis by hand
def pipeline(settings, require_engine, tmp_path_factory) -> Iterator[Pipeline]:
    for engine in ENGINES:
        require_engine(engine)
    apply_migrations(settings)
    tag = f"cf{uuid.uuid4().hex[:8]}"
    home = tmp_path_factory.mktemp(tag)
    with running_worker(settings, tag, home, catalog_feed_interval_seconds=0.2) as started:
        yield Pipeline(*started)


@pytest.fixture
async def clients(pipeline: Pipeline) -> AsyncIterator[Clients]:
    async with open_clients(pipeline.settings, pool_size=2) as opened:
        yield opened


@pytest.fixture
def new_product(pipeline: Pipeline, clients: Clients):
    """Lists a product through the catalog store and stocks it in Postgres inventory."""
    created: list[str] = []

    async def create(available: int = 10, title: str = "Trail running shoe") -> str:
        product_id = f"{pipeline.settings.mongo_db}_{uuid.uuid4().hex[:8]}"
        listing = ProductListing(
            product_id=product_id, title=title, category="Shoes", brand="Acme", price=59.9
        )
        document = Product.listed(listing, datetime.now(UTC)).model_dump()
        await catalog_store.create_product(clients.mongo, {**document, "quantity": available})
        async with clients.pg.connection() as conn:
            await inventory_store.add_levels(conn, {product_id: available})
        created.append(product_id)
        return product_id

    yield create
    with psycopg.connect(pipeline.settings.postgres_dsn, autocommit=True) as conn:
        conn.execute(inventory_store.REMOVE_LEVELS, {"ids": created, "prefix": None})
    keys = StockKeys()
    with Redis.from_url(pipeline.settings.redis_url) as redis:
        for product_id in created:
            redis.delete(keys.available(product_id), keys.version(product_id))
