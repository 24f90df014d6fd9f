"""The write contracts the in-memory sinks stand in for, checked on the real engines.

Catalog store on FerretDB (versions, soft deletes, version-guarded quantity), and externally
versioned Elasticsearch writes: older or repeated writes lose. (The Redis stock mirror has its
own tests in tests/stock.)
"""

import uuid
from collections.abc import AsyncIterator

import pytest
from elasticsearch import Elasticsearch
from pymongo import MongoClient

from adapters import catalog_store
from adapters.catalog_collection import ensure_products_collection
from adapters.connections import Clients, open_clients
from adapters.search_index import ensure_search_index
from adapters.search_writer import SearchWriter
from domain.catalog import CatalogChange
from domain.inventory import StockChange
from tests.support.records import product_document

pytestmark = pytest.mark.engines


@pytest.fixture
async def isolated(settings, require_engine) -> AsyncIterator[Clients]:
    """Clients on a catalog database and search alias of this test only."""
    for engine in ("ferretdb", "redis", "elasticsearch"):
        require_engine(engine)
    tag = f"cfa{uuid.uuid4().hex[:8]}"
    own = settings.model_copy(update={"mongo_db": f"{tag}_catalog", "search_alias": tag})
    with Elasticsearch(own.elasticsearch_url) as es:
        ensure_search_index(es, own.search_alias)
    with MongoClient(own.mongo_url) as mongo:
        ensure_products_collection(mongo[own.mongo_db])
    async with open_clients(own, pool_size=2) as clients:
        try:
            yield clients
        finally:
            await clients.mongo.client.drop_database(own.mongo_db)
            missing_ok = clients.es.options(ignore_status=404)
            await missing_ok.indices.delete(index=f"{tag}-v*")
            await missing_ok.indices.delete_index_template(name=tag)


def listing(product_id: str) -> dict:
    return {"productId": product_id, "title": "Kettle", "category": "Home", "brand": "Acme"}


async def test_every_write_bumps_the_version_and_deletes_are_soft(isolated: Clients) -> None:
    db = isolated.mongo
    created = await catalog_store.create_product(db, listing("k1"))
    updated = await catalog_store.update_product(db, "k1", {"title": "Steel kettle"})
    assert (created["version"], updated["version"]) == (1, 2)
    assert updated["updatedAt"] >= created["updatedAt"]
    assert await catalog_store.delete_product(db, "k1")
    assert await catalog_store.find_product(db, "k1") is None
    assert await catalog_store.update_product(db, "k1", {"title": "Ghost"}) is None
    assert not await catalog_store.delete_product(db, "k1")
    tombstone = await db[catalog_store.PRODUCTS].find_one({"productId": "k1"})
    assert (tombstone["deleted"], tombstone["version"]) == (True, 3)
    revived = await catalog_store.create_product(db, listing("k1"))
    assert (revived["deleted"], revived["version"]) == (False, 4)


async def test_documents_from_before_the_convention_are_adopted_once(isolated: Clients) -> None:
    db = isolated.mongo
    await db[catalog_store.PRODUCTS].insert_one(listing("legacy"))
    assert await catalog_store.adopt_unversioned(db) == 1
    assert await catalog_store.adopt_unversioned(db) == 0
    adopted = await catalog_store.find_product(db, "legacy")
    assert adopted["version"] == 1 and "changeBucket" in adopted


async def test_quantity_follows_only_newer_inventory_changes(isolated: Clients) -> None:
    db = isolated.mongo
    await catalog_store.create_product(db, {**listing("k2"), "quantity": 5})
    assert await catalog_store.set_quantity(db, StockChange("k2", 4, 20))
    assert not await catalog_store.set_quantity(db, StockChange("k2", 9, 10))  # older
    assert not await catalog_store.set_quantity(db, StockChange("k2", 4, 20))  # repeated
    assert not await catalog_store.set_quantity(db, StockChange("k2", 4, 30))  # same figure
    assert not await catalog_store.set_quantity(db, StockChange("k2", 7, 25))  # older than 30
    product = await catalog_store.find_product(db, "k2")
    assert (product["quantity"], product["stockVersion"], product["version"]) == (4, 30, 2)


async def test_a_forced_quantity_replaces_a_newer_or_corrupted_one(isolated: Clients) -> None:
    db = isolated.mongo
    await catalog_store.create_product(db, {**listing("k4"), "quantity": 5})
    assert await catalog_store.set_quantity(db, StockChange("k4", 99, 10**12))  # corrupted
    assert await catalog_store.set_quantity(db, StockChange("k4", 3, 7), force=True)
    assert not await catalog_store.set_quantity(db, StockChange("k4", 3, 7), force=True)
    assert await catalog_store.set_quantity(db, StockChange("k4", 2, 8))  # guarded again
    assert await catalog_store.quantities(db, ["k4", "absent"]) == {"k4": 2}


async def test_search_writes_are_ordered_by_external_version(isolated: Clients, settings) -> None:
    alias = isolated.settings.search_alias
    writer = SearchWriter(isolated.es, alias)

    def change(version: int, title: str | None) -> list[CatalogChange]:
        document = None if title is None else product_document("k3", version, title=title)
        return [CatalogChange("k3", version, document)]

    await writer.apply_many(change(2, "new"))
    await writer.apply_many(change(1, "old"))  # 409: already newer
    assert (await isolated.es.get(index=alias, id="k3"))["_source"]["title"] == "new"
    await writer.apply_many(change(3, None))
    await writer.apply_many(change(2, "late"))  # older than the delete
    await writer.apply_many(change(3, None))  # repeated delete: 404 or 409, both fine
    assert not await isolated.es.exists(index=alias, id="k3")
