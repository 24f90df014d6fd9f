"""Change records as the connectors put them on the wire, for feeding agents in Faust's test
context: Debezium's Postgres connector (inventory, orders, payments), the catalog change feed
and Debezium's MongoDB connector (products)."""

import itertools
import json
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId, json_util
from faust.types import AgentT

from domain.catalog_feed import change_bucket
from streams.events import EXTENDED_JSON, catalog_envelope, product_key

_lsn = itertools.count(1000)
UPDATED_AT = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def envelope(table: str, row: dict[str, Any], op: str = "u") -> bytes:
    """A Postgres row change: ``op`` c/r/u carries ``row`` as ``after``; d as ``before``."""
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    return json.dumps(
        {
            "before": row if op == "d" else None,
            "after": None if op == "d" else row,
            "source": {
                "connector": "postgresql",
                "db": "shop",
                "schema": "public",
                "table": table,
                "lsn": next(_lsn),
                "ts_ms": now_ms,
            },
            "op": op,
            "ts_ms": now_ms,
        }
    ).encode()


def inventory(product_id: str, available: int, version: int, op: str = "u") -> bytes:
    row = {
        "product_id": product_id,
        "available_qty": available,
        "reserved_qty": 0,
        "sold_qty": 0,
        "stocked_qty": available,
        "version": version,
        "updated_at": "2025-05-01T12:00:00Z",
    }
    return envelope("inventory", row, op)


def payment(payment_id: str, order_id: str, user_id: str, status: str, op: str = "u") -> bytes:
    row = {
        "payment_id": payment_id,
        "order_id": order_id,
        "user_id": user_id,
        "status": status,
        "amount": "25.00",
        "currency": "USD",
        "transaction_id": None,
        "failure_reason": None,
    }
    return envelope("payments", row, op)


def order(
    order_id: str,
    user_id: str,
    status: str,
    updated_at: datetime,
    op: str = "u",
    tracking_number: str | None = None,
    **columns: object,
) -> bytes:
    """An orders row change; ``columns`` adds or overrides columns (as Debezium writes them:
    NUMERIC as a string)."""
    row = {
        "order_id": order_id,
        "user_id": user_id,
        "status": status,
        "total_amount": "25.00",
        "currency": "USD",
        "tracking_number": tracking_number,
        "estimated_delivery": 20500 if tracking_number else None,
        "updated_at": updated_at.isoformat().replace("+00:00", "Z"),
        **columns,
    }
    return envelope("orders", row, op)


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
        "changeBucket": change_bucket(UPDATED_AT),
        "version": version,
        "deleted": False,
        **fields,
    }


def feed_record(document: dict, snapshot: bool = False) -> tuple[bytes, bytes]:
    """Key and value the change feed publishes for a document."""
    event = catalog_envelope(document, name="shop", db="catalog", snapshot=snapshot, now_ms=2)
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


async def deliver(agent: AgentT, *values: bytes | None) -> list:
    """Run ``agent`` in Faust's test context on these record values; what it yielded for each,
    once it has processed them all."""
    async with agent.test_context() as under_test:
        for value in values:
            await under_test.put(value)
        return list(under_test.results.values())


async def put(agent, record: tuple[bytes, bytes]) -> None:
    """Hand an agent's test context one (key, value) record."""
    key, value = record
    await agent.put(value, key=key)
