"""Seeding and store setup on the real engines: rerunnable and never resetting live data."""

import psycopg
from elasticsearch import Elasticsearch
from pymongo import MongoClient

from ops.seed import seed_catalog
from schemas.catalog import Product
from schemas.mongo_products import PRODUCTS, ensure_products_collection
from schemas.search_index import ensure_search_index, versioned_index
from schemas.settings import Settings
from tests.catalog.conftest import CATALOG_SEED, CATALOG_SIZE, ID_PREFIX


def test_reseeding_adds_nothing_and_keeps_live_stock(
    catalog: list[Product], engines: Settings
) -> None:
    product = catalog[20]
    with psycopg.connect(engines.postgres_dsn, autocommit=True) as pg:
        sell_one = (
            "UPDATE inventory SET available_qty = available_qty - 1, sold_qty = sold_qty + 1"
            " WHERE product_id = %s RETURNING available_qty"
        )
        (live,) = pg.execute(sell_one, (product.product_id,)).fetchone()
        result = seed_catalog(engines, CATALOG_SIZE, CATALOG_SEED, ID_PREFIX, lambda _: None)
        (after,) = pg.execute(
            "SELECT available_qty FROM inventory WHERE product_id = %s", (product.product_id,)
        ).fetchone()
    assert (result.products_added, result.inventory_added, result.search_docs_added) == (0, 0, 0)
    assert after == live == product.quantity - 1


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
