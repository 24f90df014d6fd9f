"""Change records as the engines' connectors put them on the wire, for feeding agents."""

import json
from datetime import UTC, datetime

from bson import ObjectId, json_util

from domain.catalog_feed import envelope
from schemas.events import EXTENDED_JSON, product_key

UPDATED_AT = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def inventory_record(product_id: str, available: int, version: int, op: str = "u") -> bytes:
    """A Debezium Postgres change of an inventory row (the LSN grows with the version)."""
    row = {
        "product_id": product_id,
        "available_qty": available,
        "reserved_qty": 0,
        "sold_qty": 0,
        "stocked_qty": available,
        "version": version,
        "updated_at": "2025-05-01T12:00:00Z",
    }
    return json.dumps(
        {
            "op": op,
            "before": None,
            "after": row,
            "source": {
                "connector": "postgresql",
                "db": "shop",
                "table": "inventory",
                "lsn": 1000 + version,
            },
            "ts_ms": 1,
        }
    ).encode()


def product_document(product_id: str, version: int, **fields: object) -> dict:
    """A stored product as the catalog store leaves it."""
    return {
        "_id": ObjectId(),
        "productId": product_id,
        "title": f"Title of {product_id}",
        "description": "A product",
        "category": "Laptops",
        "brand": "Acme",
        "price": 10.5,
        "currency": "USD",
        "rating": 4.5,
        "reviewCount": 3,
        "thumbnail": None,
        "quantity": 7,
        "createdAt": UPDATED_AT,
        "updatedAt": UPDATED_AT,
        "version": version,
        "deleted": False,
        **fields,
    }


def feed_record(document: dict, snapshot: bool = False) -> tuple[bytes, bytes]:
    """Key and value the change feed publishes for a document."""
    event = envelope(document, name="shop", db="catalog", snapshot=snapshot, now_ms=2)
    return product_key(document["productId"]), json.dumps(event).encode()


def connector_record(document: dict) -> tuple[bytes, bytes]:
    """Key and value the Debezium MongoDB connector publishes for an update."""
    key = {"id": json_util.dumps(document["_id"])}
    event = {
        "op": "u",
        "before": None,
        "after": json_util.dumps(document, json_options=EXTENDED_JSON),
        "updateDescription": None,
        "source": {"connector": "mongodb", "name": "shop", "db": "catalog", "ord": 1, "ts_ms": 5},
        "ts_ms": 6,
    }
    return json.dumps(key).encode(), json.dumps(event).encode()
