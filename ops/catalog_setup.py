"""Prepare the product catalog before any service writes to it (``shopctl up``).

The collection and its indexes exist before the first admin edit or seed (an implicitly
created collection would lack the unique ``productId`` index). On the local FerretDB, every
indexed field also gets a GIN twin: see ``ops.stack.engines.ferretdb.add_gin_twins``.
"""

from pymongo import MongoClient

from adapters.catalog_collection import PRODUCTS, PRODUCTS_INDEXES, ensure_products_collection
from config import Settings
from ops.stack.engines.ferretdb import add_gin_twins


def indexed_fields() -> list[str]:
    return [field for index in PRODUCTS_INDEXES for field in index.document["key"]]


def prepare_catalog(settings: Settings) -> list[str]:
    """Idempotent; returns the GIN twins created by this call."""
    with MongoClient(settings.mongo_url, serverSelectionTimeoutMS=10_000) as mongo:
        ensure_products_collection(mongo[settings.mongo_db])
    return add_gin_twins(settings, settings.mongo_db, PRODUCTS, indexed_fields())
