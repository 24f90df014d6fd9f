"""Search sync rules: the Elasticsearch write a catalog change asks for.

Every write carries the product's version as an external version, so Elasticsearch itself
drops a delivery that is not newer than what it holds (repeats, replays, reordering).
"""

from dataclasses import dataclass
from typing import Protocol

from schemas.catalog import Product
from schemas.events import ProductEvent, product_id_of_key
from schemas.search_index import product_to_search_doc


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
        product = Product.model_validate(after.model_dump(by_alias=True))
        return Upsert(after.product_id, after.version, product_to_search_doc(product))
    product_id = product_id_of_key(key)
    return None if product_id is None else Remove(product_id, event.position)
