"""Load the generated demo catalog into Mongo, Postgres inventory and Elasticsearch.

Seeding only ever adds what is missing: a product already in Mongo, an inventory row
already in Postgres or a document already in the search index is left alone, so
re-running ``shopctl seed`` on a live system never resets stock or catalog edits.
Products are written through ``adapters.catalog_store`` (version 1, ``updatedAt``,
``changeBucket``), like every catalog write, so the change feed sees them.
Elasticsearch gets the initial snapshot; afterwards the CDC pipeline keeps it fresh.
Pictures are generated placeholders (one per category and view) in the object store, so
product pages and search hits carry image URLs the CDN serves.
"""

import asyncio
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from elasticsearch import Elasticsearch, helpers
from pymongo import AsyncMongoClient, MongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from adapters import catalog_store, inventory_store
from adapters.catalog_collection import ensure_products_collection
from adapters.catalog_documents import Product, ProductImage
from adapters.object_store import ObjectStore
from adapters.search_index import ensure_search_index, product_to_search_doc
from config import Settings
from domain.media import Picture, published
from ops.demo.catalog import generate_catalog
from ops.demo.placeholders import placeholder_image
from services.media import publish_placeholder

BATCH = 2_000
DUPLICATE_KEY = 11000

Report = Callable[[str], None]


@dataclass(frozen=True)
class SeedResult:
    """How many products each store gained (0 everywhere on a re-run)."""

    generated: int
    products_added: int
    inventory_added: int
    search_docs_added: int


def seed_catalog(
    settings: Settings,
    count: int = 10_000,
    random_seed: int = 42,
    id_prefix: str = "prod_",
    report: Report = print,
) -> SeedResult:
    started = time.perf_counter()
    products = list(generate_catalog(count, random_seed, id_prefix))
    report(f"generated {len(products)} products (random seed {random_seed})")
    products = with_placeholders(products, publish_placeholders(settings, products))
    report("object store: placeholder images and their variants stored")
    with psycopg.connect(settings.postgres_dsn) as pg:
        inventory_added = load_inventory(pg, products)
        products = with_live_stock(pg, products)
    report(f"postgres: {inventory_added} inventory rows added")
    with MongoClient(settings.mongo_url) as mongo:
        ensure_products_collection(mongo[settings.mongo_db])
    products_added, deleted = asyncio.run(load_catalog(settings, products, report))
    live = [p for p in products if p.product_id not in deleted]
    with Elasticsearch(settings.elasticsearch_url, request_timeout=60) as es:
        search_docs_added = index_products(es, settings.search_alias, live, report)
    report(f"done in {time.perf_counter() - started:.1f}s")
    return SeedResult(len(products), products_added, inventory_added, search_docs_added)


def publish_placeholders(
    settings: Settings, products: Sequence[Product]
) -> dict[tuple[str, int], Picture]:
    """One placeholder picture per category and view the products show, stored with its
    variants (once: a re-seed finds them)."""
    store = ObjectStore(settings)
    store.ensure_bucket()
    now = datetime.now(UTC)
    wanted = {(p.category, view) for p in products for view in _views(p)}
    return {
        (category, view): publish_placeholder(
            store, settings.media_base_url, placeholder_image(category, view), now
        )
        for category, view in sorted(wanted)
    }


def with_placeholders(
    products: Sequence[Product], pictures: dict[tuple[str, int], Picture]
) -> list[Product]:
    """Each product shows as many placeholder views of its category as the generator gave
    it images: ``media``, ``images`` and ``thumbnail`` point at the CDN."""
    placed = []
    for product in products:
        gallery = [pictures[product.category, view] for view in _views(product)]
        images, thumbnail = published([], None, [], gallery)
        placed.append(
            Product.model_validate(
                {
                    **product.model_dump(),
                    "media": [ProductImage.of(p).model_dump() for p in gallery],
                    "images": images,
                    "thumbnail": thumbnail,
                }
            )
        )
    return placed


def _views(product: Product) -> range:
    return range(1, len(product.images) + 1)


async def load_catalog(
    settings: Settings, products: Sequence[Product], report: Report
) -> tuple[int, set[str]]:
    """Adds the missing products to Mongo: how many, and the ids of deleted products.

    Products deleted since an earlier seed stay deleted, and out of the search snapshot:
    search sync removed them, and a ``create`` there would bring them back. Products an
    older seed wrote without the catalog store's stamps get them here (version 1).
    """
    async with AsyncMongoClient(settings.mongo_url) as mongo:
        db = mongo[settings.mongo_db]
        added = await load_products(db, products, report)
        if adopted := await catalog_store.adopt_unversioned(db):
            report(f"mongo: {adopted} products from an older seed stamped for the change feed")
        return added, await catalog_store.deleted_ids(db)


async def load_products(db: AsyncDatabase, products: Sequence[Product], report: Report) -> int:
    """Insert-if-absent, in batches: the unique productId index turns repeats into no-ops.

    (``insert_many`` tolerating duplicate-key errors is far faster on FerretDB than
    ``$setOnInsert`` upserts, which it runs one query at a time.) A product already present,
    live, edited or deleted, keeps its document and version. A batch shares one stamp, so it
    must be visible within the change feed's overlap: the batch size keeps well inside it
    (figures in docs/PERFORMANCE.md).
    """
    added = 0
    for done, batch in _batches(products):
        documents = [p.model_dump() for p in batch]
        try:
            added += len((await catalog_store.insert_products(db, documents)).inserted_ids)
        except BulkWriteError as exc:
            if any(error["code"] != DUPLICATE_KEY for error in exc.details["writeErrors"]):
                raise
            added += exc.details["nInserted"]
        report(f"mongo: {done}/{len(products)} products written")
    return added


def load_inventory(pg: psycopg.Connection, products: Sequence[Product]) -> int:
    """One statement; existing rows keep their live stock."""
    cursor = pg.execute(
        inventory_store.ADD_LEVELS,
        {"ids": [p.product_id for p in products], "quantities": [p.quantity for p in products]},
    )
    return cursor.rowcount


def with_live_stock(pg: psycopg.Connection, products: Sequence[Product]) -> list[Product]:
    """The products with the quantity Postgres holds: a row that existed before the seed (stock
    set for an id the seed also generates) keeps its figure, and the catalog and search
    documents written now must show that figure, not the generated one."""
    live = dict(
        pg.execute(
            "SELECT product_id, available_qty FROM inventory WHERE product_id = ANY(%s)",
            ([p.product_id for p in products],),
        ).fetchall()
    )
    return [
        p
        if live.get(p.product_id, p.quantity) == p.quantity
        else p.model_copy(update={"quantity": live[p.product_id]})
        for p in products
    ]


def index_products(
    es: Elasticsearch, alias: str, products: Sequence[Product], report: Report
) -> int:
    """Bulk ``create`` through the alias: documents already indexed are kept (409 ignored)."""
    ensure_search_index(es, alias)
    added = 0
    for done, batch in _batches(products):
        actions = (
            {
                "_op_type": "create",
                "_index": alias,
                "_id": p.product_id,
                "_source": product_to_search_doc(p),
            }
            for p in batch
        )
        ok, errors = helpers.bulk(es, actions, raise_on_error=False, stats_only=False)
        failures = [e for e in errors if _status(e) != 409]
        if failures:
            raise RuntimeError(f"search indexing failed for {len(failures)} docs: {failures[:3]}")
        added += ok
        report(f"elasticsearch: {done}/{len(products)} products indexed")
    es.indices.refresh(index=alias)
    return added


def _status(bulk_error: dict) -> int:
    (outcome,) = bulk_error.values()
    return outcome.get("status", 0)


def _batches(products: Sequence[Product]) -> Iterator[tuple[int, Sequence[Product]]]:
    """Consecutive slices of ``BATCH`` products, with the running total after each."""
    for start in range(0, len(products), BATCH):
        batch = products[start : start + BATCH]
        yield start + len(batch), batch
