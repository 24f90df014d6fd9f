"""The Mongo ``products`` collection: its validator, its indexes and an idempotent setup.

Production runs MongoDB, which enforces ``PRODUCTS_VALIDATOR`` on every write. The local
stack runs FerretDB 1.x, which implements neither ``validator`` on ``create`` nor ``collMod``
(it answers "not implemented"): there the collection is created without it and the
pydantic ``adapters.catalog_documents.Product`` model, applied by every writer, is the only gate.
Indexes (unique ``productId``, ``category``) work on both engines, but FerretDB 1.24
panics (and drops the connection) when one ``createIndexes`` command re-declares several
existing indexes, so they are declared one command each.
"""

import logging
from contextlib import suppress

from pymongo import ASCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import CollectionInvalid, OperationFailure

from adapters.catalog_documents import PRODUCT_ID_PATTERN

log = logging.getLogger(__name__)

PRODUCTS = "products"

_NOT_IMPLEMENTED = {115, 238}  # CommandNotSupported, NotImplemented

_STRING = {"bsonType": "string"}
_NUMBER = {"bsonType": ["double", "int", "long", "decimal"]}
_COUNT = {"bsonType": ["int", "long"], "minimum": 0}

PRODUCTS_VALIDATOR: dict = {
    "$jsonSchema": {
        "bsonType": "object",
        "required": [
            "productId",
            "title",
            "category",
            "brand",
            "price",
            "currency",
            "createdAt",
            "updatedAt",
        ],
        "properties": {
            "productId": {"bsonType": "string", "pattern": PRODUCT_ID_PATTERN},
            "title": {"bsonType": "string", "minLength": 1, "maxLength": 300},
            "description": _STRING,
            "category": _STRING,
            "brand": _STRING,
            "price": {**_NUMBER, "exclusiveMinimum": 0},
            "currency": {"bsonType": "string", "pattern": "^[A-Z]{3}$"},
            "images": {"bsonType": "array", "items": _STRING, "maxItems": 20},
            "thumbnail": {"bsonType": ["string", "null"]},
            "specifications": {"bsonType": "object"},
            "rating": {**_NUMBER, "minimum": 0, "maximum": 5},
            "reviewCount": _COUNT,
            "reviews": {
                "bsonType": "array",
                "items": {
                    "bsonType": "object",
                    "required": ["author", "rating", "text", "date"],
                    "properties": {
                        "author": _STRING,
                        "rating": {"bsonType": ["int", "long"], "minimum": 1, "maximum": 5},
                        "text": _STRING,
                        "date": {"bsonType": "date"},
                    },
                },
            },
            "quantity": _COUNT,
            # Uploaded images (adapters.catalog_documents.ProductImage).
            "media": {
                "bsonType": "array",
                "maxItems": 20,
                "items": {
                    "bsonType": "object",
                    "required": ["imageId", "status", "width", "height", "contentType"],
                    "properties": {
                        "imageId": {"bsonType": "string", "pattern": "^[0-9a-f]{64}$"},
                        "status": {"enum": ["processing", "ready", "failed"]},
                        "variants": {"bsonType": "object"},
                    },
                },
            },
            "createdAt": {"bsonType": "date"},
            "updatedAt": {"bsonType": "date"},
            # Stamped by adapters/catalog_store.py for the catalog change feed.
            "version": {"bsonType": ["int", "long"], "minimum": 1},
            "changeBucket": {"bsonType": ["int", "long"]},
            "deleted": {"bsonType": "bool"},
            # The inventory row version ``quantity`` was copied from (domain/inventory.py).
            "stockVersion": {"bsonType": ["int", "long"], "minimum": 1},
        },
    }
}

CHANGE_BUCKET_INDEX = IndexModel([("changeBucket", ASCENDING)], name="changeBucket")
"""The catalog change feed's lookup (MongoDB uses it; FerretDB 1.24 scans either way)."""

PRODUCTS_INDEXES = [
    IndexModel([("productId", ASCENDING)], name="productId_unique", unique=True),
    IndexModel([("category", ASCENDING)], name="category"),
    CHANGE_BUCKET_INDEX,
]


def ensure_products_collection(db: Database) -> None:
    """Create the collection (validated where the engine can), then its indexes; rerunnable."""
    try:
        db.create_collection(PRODUCTS, validator=PRODUCTS_VALIDATOR)
    except CollectionInvalid:
        _refresh_validator(db)
    except OperationFailure as exc:
        if exc.code not in _NOT_IMPLEMENTED:
            raise
        log.info("engine has no collection validators (FerretDB); creating %s without", PRODUCTS)
        _create_unvalidated(db)
    for index in PRODUCTS_INDEXES:  # one per command: see the module docstring
        db[PRODUCTS].create_indexes([index])


def _refresh_validator(db: Database) -> None:
    """Keep an existing collection's validator current (schema evolves with the code)."""
    try:
        db.command("collMod", PRODUCTS, validator=PRODUCTS_VALIDATOR)
    except OperationFailure as exc:
        if exc.code not in _NOT_IMPLEMENTED:
            raise


def _create_unvalidated(db: Database) -> None:
    with suppress(CollectionInvalid):  # a concurrent setup won the race
        db.create_collection(PRODUCTS)
