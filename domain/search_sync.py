"""Search sync rules: the Elasticsearch write a catalog change asks for.

Every write carries the product's version as an external version, so Elasticsearch itself
drops a delivery that is not newer than what it holds (repeats, replays, reordering).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from schemas.events import ProductEvent, product_id_of_key


@dataclass(frozen=True)
class Upsert:
    product_id: str
    version: int
    document: dict


@dataclass(frozen=True)
class Remove:
    product_id: str
    version: int


SearchAction = Upsert | Remove


class SearchSink(Protocol):
    """The search index; each write keeps a stored document with a version not lower."""

    async def apply(self, action: SearchAction) -> None: ...


def search_action(key: bytes | None, event: ProductEvent) -> SearchAction | None:
    """Upsert a live product, remove a deleted one; None when the event names no product.

    A soft delete arrives as op d from the change feed (its version in ``source.ord``) and
    as an update with ``deleted: true`` from the Debezium MongoDB connector.
    """
    after = event.after if event.op != "d" else None
    if after is not None:
        if after.deleted:
            return Remove(after.product_id, after.version)
        document = search_document(after.model_dump(by_alias=True))
        return Upsert(after.product_id, after.version, document)
    product_id = product_id_of_key(key)
    return None if product_id is None else Remove(product_id, event.position)


def search_document(product: Mapping[str, Any]) -> dict:
    """The search document of a stored product (its ``_id`` is the productId)."""
    thumbnail = product.get("thumbnail")
    return {
        "productId": product["productId"],
        "title": product["title"],
        "description": product.get("description", ""),
        "category": product["category"],
        "brand": product["brand"],
        "price": product["price"],
        "currency": product.get("currency", "USD"),
        "rating": product.get("rating", 0.0),
        "reviewCount": product.get("reviewCount", 0),
        "availableQty": product.get("quantity", 0),
        "thumbnail": None if thumbnail is None else str(thumbnail),
        "updatedAt": product["updatedAt"].isoformat(),
    }
