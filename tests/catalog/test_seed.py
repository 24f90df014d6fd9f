"""Seeding and store setup on the real engines: rerunnable and never resetting live data."""

import asyncio

import psycopg
from elasticsearch import Elasticsearch
from pymongo import AsyncMongoClient, MongoClient

from adapters import catalog_store, inventory_store
from adapters.catalog_collection import PRODUCTS, ensure_products_collection
from adapters.catalog_documents import Product
from adapters.search_index import ensure_search_index, versioned_index
from config import Settings
from domain.inventory import net_moves, reserve, sell
from ops.demo.catalog import generate_catalog
from ops.demo.seed import seed_catalog
from tests.catalog.conftest import CATALOG_RANDOM_SEED, CATALOG_SIZE, ID_PREFIX, RUN, clean_up


def test_seeded_products_carry_the_feed_stamps(catalog: list[Product], engines: Settings) -> None:
    """Written through catalog_store, so the change feed sees them as version 1."""
    with MongoClient(engines.mongo_url) as mongo:
        documents = list(
            mongo[engines.mongo_db][PRODUCTS].find(
                {"productId": {"$in": [p.product_id for p in catalog[:50]]}}
            )
        )
    assert len(documents) == 50
    for document in documents:
        assert (document["version"], document["deleted"]) == (1, False), document["productId"]
        assert isinstance(document["changeBucket"], int) and document["updatedAt"]


def test_reseeding_adds_nothing_and_keeps_live_stock(
    catalog: list[Product], engines: Settings
) -> None:
    product = catalog[20]
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as pg:
        [sale] = net_moves([reserve(product.product_id, 1), sell(product.product_id, 1)])
        pg.execute(inventory_store.MOVE, inventory_store.move_params(sale))
        live = product.quantity - 1
        result = seed_catalog(engines, CATALOG_SIZE, CATALOG_RANDOM_SEED, ID_PREFIX, lambda _: None)
        (after,) = pg.execute(
            "SELECT available_qty FROM inventory WHERE product_id = %s", (product.product_id,)
        ).fetchone()
    assert (result.products_added, result.inventory_added, result.search_docs_added) == (0, 0, 0)
    assert after == live == product.quantity - 1


def test_a_seeded_product_shows_the_stock_its_row_already_had(engines: Settings) -> None:
    """Stock set for an id before the seed generated it: Postgres keeps it (the seed never resets
    live stock), and the new catalog and search documents show it too."""
    own = engines.model_copy(
        update={
            "search_alias": f"{engines.search_alias}-pre",
            "mongo_db": f"{engines.mongo_db}_pre",
            "media_bucket": f"{engines.media_bucket}-pre",
        }
    )
    prefix = f"{ID_PREFIX}pre_"
    [first] = generate_catalog(1, CATALOG_RANDOM_SEED, prefix)
    with psycopg.connect(own.postgres_dsn, autocommit=True) as pg:
        pg.execute(inventory_store.ADD_LEVELS, {"ids": [first.product_id], "quantities": [4321]})
    try:
        seed_catalog(own, 1, CATALOG_RANDOM_SEED, prefix, lambda _: None)
        with MongoClient(own.mongo_url) as mongo:
            document = mongo[own.mongo_db][PRODUCTS].find_one({"productId": first.product_id})
        with Elasticsearch(own.elasticsearch_url) as es:
            indexed = es.get(index=own.search_alias, id=first.product_id)["_source"]
        assert first.quantity != 4321
        assert document["quantity"] == indexed["availableQty"] == 4321
    finally:
        clean_up(own, prefix)


def test_products_collection_setup_is_rerunnable(catalog: list[Product], engines: Settings) -> None:
    with MongoClient(engines.mongo_url) as mongo:
        db = mongo[engines.mongo_db]
        ensure_products_collection(db)
        indexes = {index["name"]: index for index in db[PRODUCTS].list_indexes()}
        assert db[PRODUCTS].count_documents({}) >= len(catalog)
    assert indexes["productId_unique"]["unique"] is True
    assert "category" in indexes


def test_search_index_setup_is_rerunnable(catalog: list[Product], engines: Settings) -> None:
    with Elasticsearch(engines.elasticsearch_url) as es:
        assert ensure_search_index(es, engines.search_alias) == versioned_index(
            engines.search_alias, 1
        )
        assert es.count(index=engines.search_alias)["count"] == len(catalog)


def test_a_deleted_product_stays_deleted_on_reseed(engines: Settings) -> None:
    """Not revived in Mongo, and not put back into search (search sync took it out)."""
    own = engines.model_copy(
        update={
            "mongo_db": f"{engines.mongo_db}_del",
            "search_alias": f"test-del-{RUN}",
            "media_bucket": f"{engines.media_bucket}-del",
        }
    )
    prefix = f"d{RUN}_"  # not under ID_PREFIX: cleaning up must not touch the session's rows
    try:
        seed_catalog(own, 3, CATALOG_RANDOM_SEED, prefix, lambda _: None)
        gone = f"{prefix}000002"
        asyncio.run(_delete(own, gone))
        with Elasticsearch(own.elasticsearch_url) as es:
            es.delete(index=own.search_alias, id=gone, refresh=True)  # what search sync does
            result = seed_catalog(own, 3, CATALOG_RANDOM_SEED, prefix, lambda _: None)
            assert not es.exists(index=own.search_alias, id=gone)
        with MongoClient(own.mongo_url) as mongo:
            tombstone = mongo[own.mongo_db][PRODUCTS].find_one({"productId": gone})
    finally:
        clean_up(own, prefix)
    assert (result.products_added, result.search_docs_added) == (0, 0)
    assert (tombstone["deleted"], tombstone["version"]) == (True, 2)


async def _delete(settings: Settings, product_id: str) -> None:
    async with AsyncMongoClient(settings.mongo_url) as mongo:
        assert await catalog_store.delete_product(mongo[settings.mongo_db], product_id)
