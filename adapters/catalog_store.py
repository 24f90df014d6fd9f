"""The one writer of product documents (Mongo ``products``): the catalog change feed relies on it.

Every insert and update stamps ``updatedAt`` (UTC, this process's clock), its
``changeBucket`` and a new ``version`` (``$inc``): the feed finds changes by the stamps, on
FerretDB (no change streams) as on MongoDB, and every consumer orders a product's changes by
the version. Deletes are soft (``deleted: true`` plus a version bump), so a delete is a change
the feed can see; readers filter tombstones out with ``LIVE``.
"""

import asyncio
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from pymongo.results import InsertManyResult

from adapters.catalog_collection import CHANGE_BUCKET_INDEX, PRODUCTS
from domain.catalog_feed import change_bucket
from domain.inventory import StockChange

LIVE: dict = {"deleted": {"$ne": True}}
"""Filter of every reader: soft-deleted products are tombstones, not products."""

FEW = 20
"""Up to this many products are looked up one by one: an index lookup each on MongoDB, but a
collection scan each on FerretDB 1.24 (docs/PERFORMANCE.md), so only for a few."""

Document = dict[str, Any]


def _products(db: AsyncDatabase) -> AsyncCollection:
    return db[PRODUCTS]


def _stamp() -> Document:
    """Milliseconds, as BSON dates store them: what the feed reads back equals what was written."""
    now = datetime.now(UTC)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    return {"updatedAt": now, "changeBucket": change_bucket(now)}


def _older_stock(version: int) -> Document:
    """Documents whose quantity comes from an older inventory row version (or none)."""
    return {"$or": [{"stockVersion": {"$lt": version}}, {"stockVersion": {"$exists": False}}]}


async def ensure_feed_index(db: AsyncDatabase) -> None:
    await _products(db).create_indexes([CHANGE_BUCKET_INDEX])


async def adopt_unversioned(db: AsyncDatabase) -> int:
    """Stamp documents written before this convention (seeded directly, say) as version 1.

    The feed emits only versioned documents; this makes earlier ones visible to it. Only
    documents without a version match, so a second call changes nothing.
    """
    result = await _products(db).update_many(
        {"version": {"$exists": False}}, {"$set": {**_stamp(), "version": 1, "deleted": False}}
    )
    return result.modified_count


async def find_product(db: AsyncDatabase, product_id: str) -> Document | None:
    """The whole live document (Mongo ``_id`` included: the ``Product`` model ignores it)."""
    return await _products(db).find_one({"productId": product_id, **LIVE})


async def product_exists(db: AsyncDatabase, product_id: str) -> bool:
    return (
        await _products(db).find_one({"productId": product_id, **LIVE}, {"_id": True}) is not None
    )


async def deleted_ids(db: AsyncDatabase) -> set[str]:
    """The ids of the tombstones (one equality query, which FerretDB runs inside Postgres)."""
    cursor = _products(db).find({"deleted": True}, {"_id": False, "productId": True})
    return {document["productId"] async for document in cursor}


async def create_product(db: AsyncDatabase, document: Mapping[str, Any]) -> Document:
    """Insert as version 1; listing a deleted product's id again revives it at a newer version.

    Raises ``DuplicateKeyError`` when a live product has the id (the unique ``productId``
    index of ``adapters.catalog_collection.ensure_products_collection`` decides).
    """
    stamped = {**document, **_stamp(), "version": 1, "deleted": False}
    try:
        await _products(db).insert_one(stamped)
    except DuplicateKeyError:
        revived = await _products(db).find_one_and_update(
            {"productId": document["productId"], "deleted": True},
            {"$set": {**document, **_stamp(), "deleted": False}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        if revived is None:
            raise
        return revived
    return stamped


async def insert_products(
    db: AsyncDatabase, documents: Iterable[Mapping[str, Any]]
) -> InsertManyResult:
    """Bulk ``create_product`` for seeding: ids already present fail with ``BulkWriteError``."""
    stamp = _stamp()
    stamped = [{**d, **stamp, "version": 1, "deleted": False} for d in documents]
    return await _products(db).insert_many(stamped, ordered=False)


async def update_product(
    db: AsyncDatabase, product_id: str, changes: Mapping[str, Any]
) -> Document | None:
    """``$set`` the changes (stored field names) on a live product; None if there is none."""
    return await _products(db).find_one_and_update(
        {"productId": product_id, **LIVE},
        {"$set": {**changes, **_stamp()}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )


async def update_product_at(
    db: AsyncDatabase, product_id: str, version: int, changes: Mapping[str, Any]
) -> Document | None:
    """``update_product`` only if the product is still at ``version`` (None: it moved on, or
    is gone): a read-modify-write of a field two writers change (its images) loses nothing."""
    return await _products(db).find_one_and_update(
        {"productId": product_id, "version": version, **LIVE},
        {"$set": {**changes, **_stamp()}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,
    )


async def image_ids(db: AsyncDatabase) -> set[str]:
    """The ids of every image a live product lists (the lifecycle job keeps those)."""
    cursor = _products(db).find({**LIVE, "media": {"$exists": True}}, {"_id": 0, "media": 1})
    return {image["imageId"] async for doc in cursor for image in doc.get("media") or ()}


async def delete_product(db: AsyncDatabase, product_id: str) -> int | None:
    """Soft delete: the tombstone's version, or None when there is no live product."""
    tombstone = await _products(db).find_one_and_update(
        {"productId": product_id, **LIVE},
        {"$set": {"deleted": True, **_stamp()}, "$inc": {"version": 1}},
        return_document=ReturnDocument.AFTER,  # whole: FerretDB refuses a projection here
    )
    return None if tombstone is None else tombstone["version"]


async def set_quantity(db: AsyncDatabase, change: StockChange, *, force: bool = False) -> bool:
    """Copy Postgres' available count at an inventory row version into ``quantity``, if that
    version is newer than the stored ``stockVersion`` (always, with ``force``: a repair).

    Returns whether the quantity changed (a new product version for the feed to carry to
    search). An unchanged quantity only advances ``stockVersion``, without a product version,
    so payments moving units from reserved to sold cost no search write.
    """
    guard = {} if force else _older_stock(change.version)
    selected = {"productId": change.product_id, **guard}
    changed = await _products(db).update_one(
        {**selected, "quantity": {"$ne": change.available}},
        {
            "$set": {"quantity": change.available, "stockVersion": change.version, **_stamp()},
            "$inc": {"version": 1},
        },
    )
    if changed.matched_count:
        return True
    await _products(db).update_one(selected, {"$set": {"stockVersion": change.version}})
    return False


async def quantities(
    db: AsyncDatabase, product_ids: Sequence[str], product_prefix: str = ""
) -> dict[str, int | None]:
    """``quantity`` of the live products among ``product_ids`` (None: missing or malformed),
    all of whose ids start with ``product_prefix``.

    Per-id lookups for a few; one scan for many (FerretDB answers an ``$in`` of thousands of
    ids far slower than one full scan: it scans once per id).
    """
    projection = {"_id": 0, "productId": 1, "quantity": 1}
    if len(product_ids) <= FEW:
        found = await asyncio.gather(
            *(_products(db).find_one({"productId": pid, **LIVE}, projection) for pid in product_ids)
        )
        documents: Iterable[Document] = (doc for doc in found if doc)
    else:
        query = {"productId": {"$regex": f"^{re.escape(product_prefix)}"}, **LIVE}
        documents = [doc async for doc in _products(db).find(query, projection)]
    wanted = set(product_ids)
    return {
        doc["productId"]: _as_count(doc.get("quantity"))
        for doc in documents
        if doc["productId"] in wanted
    }


async def refeed(db: AsyncDatabase, product_ids: Sequence[str]) -> int:
    """Give live products a new version unchanged, so the change feed carries them to search
    again (a repair of a drifted search document); how many there were."""
    result = await _products(db).update_many(
        {"productId": {"$in": list(product_ids)}, **LIVE},
        {"$set": _stamp(), "$inc": {"version": 1}},
    )
    return result.modified_count


@dataclass(frozen=True)
class CatalogQuantity:
    """The catalog's ``quantity`` as a copy of the stock (``domain.inventory.StockCopy``)."""

    db: AsyncDatabase

    async def apply(self, change: StockChange) -> bool:
        return await set_quantity(self.db, change)

    async def overwrite(self, change: StockChange) -> bool:
        return await set_quantity(self.db, change, force=True)


def _as_count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
