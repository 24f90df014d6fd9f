"""Real-engine fixtures for the catalog tests.

Each test session works on its own data so several runs can share one stack: a
uuid-suffixed Mongo database and search alias, and product ids with a per-run prefix
(which also scopes the Postgres inventory rows and Redis stock keys it touches).
"""

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import psycopg
import pytest
from botocore.exceptions import ClientError
from elasticsearch import Elasticsearch
from fastapi import FastAPI
from pymongo import MongoClient
from redis import Redis

from adapters import inventory_store
from adapters.catalog_documents import Product
from adapters.migrations import apply_migrations
from adapters.object_store import ObjectStore
from adapters.product_cache import ProductCache
from adapters.search_index import index_pattern
from adapters.stock_cache import StockKeys
from config import Settings, get_settings
from harness.accounts import new_accounts
from harness.inprocess import in_process_api
from ops.demo.catalog import generate_catalog
from ops.demo.seed import publish_placeholders, seed_catalog, with_placeholders

RUN = uuid.uuid4().hex[:8]
ID_PREFIX = f"t{RUN}_"
CATALOG_SIZE = 300
CATALOG_RANDOM_SEED = 7


@pytest.fixture(scope="session")
def catalog_settings() -> Settings:
    return get_settings().model_copy(
        update={
            "search_alias": f"test-products-{RUN}",
            "mongo_db": f"catalog_test_{RUN}",
            "media_bucket": f"test-media-{RUN}",
        }
    )


@pytest.fixture(scope="session")
def engines(catalog_settings: Settings, require_engine: Callable[[str], None]) -> Settings:
    """This run's settings once every engine the catalog uses answers (else the run fails)."""
    for engine in ("postgres", "ferretdb", "redis", "elasticsearch", "objectstore"):
        require_engine(engine)
    apply_migrations(catalog_settings)
    return catalog_settings


@pytest.fixture(scope="session")
def catalog(engines: Settings) -> Iterator[list[Product]]:
    """A small seeded catalog (heroes first) in this run's own stores; removed afterwards."""
    try:
        seed_catalog(engines, CATALOG_SIZE, CATALOG_RANDOM_SEED, ID_PREFIX, report=lambda _: None)
        generated = list(generate_catalog(CATALOG_SIZE, CATALOG_RANDOM_SEED, ID_PREFIX))
        yield with_placeholders(generated, publish_placeholders(engines, generated))
    finally:
        clean_up(engines)


def clean_up(settings: Settings, id_prefix: str = ID_PREFIX) -> None:
    drop_search_index(settings)
    drop_bucket(settings)
    with MongoClient(settings.mongo_url) as mongo:
        # Emptied, not dropped: FerretDB 1.24 can deadlock a dropDatabase under load (it holds
        # its registry's write lock while waiting for a Postgres connection, and the readers
        # holding every connection wait for that lock), as the busy end of a run once did.
        database = mongo[settings.mongo_db]
        for name in database.list_collection_names():
            database[name].delete_many({})
    with psycopg.connect(settings.postgres_dsn) as pg:
        pg.execute(inventory_store.REMOVE_LEVELS, {"ids": [], "prefix": id_prefix})
    redis = Redis.from_url(settings.redis_url)
    keys = StockKeys()
    patterns = (keys.available(f"{id_prefix}*"), keys.version(f"{id_prefix}*"))
    for pattern in (*patterns, ProductCache(redis).key(f"{id_prefix}*")):
        if stale := list(redis.scan_iter(pattern)):
            redis.delete(*stale)


def drop_bucket(settings: Settings) -> None:
    store = ObjectStore(settings)
    with contextlib.suppress(ClientError):  # never created
        store.delete([stored.key for stored in store.objects()])
        store.client.delete_bucket(Bucket=store.bucket)


def drop_search_index(settings: Settings) -> None:
    """Every versioned index and the template of ``settings.search_alias``."""
    with Elasticsearch(settings.elasticsearch_url) as es:
        indices = list(es.indices.get(index=index_pattern(settings.search_alias)))
        if indices:
            es.indices.delete(index=",".join(indices))
        es.options(ignore_status=404).indices.delete_index_template(name=settings.search_alias)


@pytest.fixture(scope="session")
async def catalog_served(
    catalog: list[Product], engines: Settings
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The storefront on this run's catalog, and its app (whose services the handlers use)."""
    async with in_process_api(engines) as served:
        yield served


@pytest.fixture(scope="session")
def api(catalog_served: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return catalog_served[1]


async def bearer(settings: Settings, role: str) -> dict[str, str]:
    """The headers of a new signed-in account of ``role``."""
    async with await psycopg.AsyncConnection.connect(settings.postgres_dsn, autocommit=True) as pg:
        [account] = await new_accounts(pg, settings, 1, role)
    return account.headers


@pytest.fixture(scope="session")
async def admin_headers(engines: Settings) -> dict[str, str]:
    return await bearer(engines, "admin")


@pytest.fixture(scope="session")
async def customer_headers(engines: Settings) -> dict[str, str]:
    return await bearer(engines, "customer")
