"""Prepare the product catalog before any service writes to it (``shopctl prepare``).

The collection and its indexes exist before the first admin edit or seed (an implicitly
created collection would lack the unique ``productId`` index). On the local FerretDB, every
indexed field also gets a GIN twin: see ``ops.stack.engines.ferretdb.add_gin_twins``.
A real MongoDB (docker-compose, production) has no Postgres tables behind it: nothing more.
"""

from pymongo import MongoClient

from adapters.catalog_collection import PRODUCTS, PRODUCTS_INDEXES, ensure_products_collection
from config import Settings
from ops.stack.engines.ferretdb import add_gin_twins


def indexed_fields() -> list[str]:
    return [field for index in PRODUCTS_INDEXES for field in index.document["key"]]


def is_ferretdb(mongo: MongoClient) -> bool:
    """FerretDB names itself in ``buildInfo`` (``ferretdbVersion``); MongoDB does not."""
    return "ferretdbVersion" in mongo.admin.command("buildInfo")


def prepare_catalog(settings: Settings) -> list[str]:
    """Idempotent; returns the GIN twins created by this call."""
    with MongoClient(
        settings.mongo_url, serverSelectionTimeoutMS=settings.mongo_timeout_ms
    ) as mongo:
        ensure_products_collection(mongo[settings.mongo_db])
        on_ferretdb = is_ferretdb(mongo)
    if not on_ferretdb:
        return []
    return add_gin_twins(settings, settings.mongo_db, PRODUCTS, indexed_fields())
