"""Mongo repository of product documents (the ``products`` collection).

Documents are read whole: ``Product`` ignores Mongo's ``_id`` (FerretDB rejects
projections on ``findAndModify``, so none are used).
"""

from datetime import datetime

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from schemas.catalog import Product
from schemas.mongo_products import PRODUCTS


async def find_product(db: AsyncDatabase, product_id: str) -> Product | None:
    document = await db[PRODUCTS].find_one({"productId": product_id})
    return None if document is None else Product.model_validate(document)


async def product_exists(db: AsyncDatabase, product_id: str) -> bool:
    return await db[PRODUCTS].find_one({"productId": product_id}, {"_id": True}) is not None


async def insert_product(db: AsyncDatabase, product: Product) -> None:
    """Raises ``pymongo.errors.DuplicateKeyError`` if the productId is taken."""
    await db[PRODUCTS].insert_one(product.model_dump())


async def update_product(
    db: AsyncDatabase, product_id: str, changes: dict, now: datetime
) -> Product | None:
    """Apply ``changes`` (stored field names) and bump ``updatedAt``; None if unknown."""
    document = await db[PRODUCTS].find_one_and_update(
        {"productId": product_id},
        {"$set": {**changes, "updatedAt": now}},
        return_document=ReturnDocument.AFTER,
    )
    return None if document is None else Product.model_validate(document)


async def delete_product(db: AsyncDatabase, product_id: str) -> bool:
    result = await db[PRODUCTS].delete_one({"productId": product_id})
    return result.deleted_count > 0
