"""The catalog: operators list, edit and delete products; search follows every change.

Every write goes through ``adapters.catalog_store`` (stamps and versions the change feed
finds); deletes are soft, so a delete is a change search can see, and listing a deleted id
again revives it at a newer version.
"""

import asyncio
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from adapters import catalog_store
from adapters.catalog_documents import Product, ProductListing
from domain.catalog import CatalogChange, ProductExists, latest_changes
from domain.pricing import ProductNotFound
from services import stock
from services.context import SearchSink, Services


async def sync_search(search: SearchSink, changes: Iterable[CatalogChange]) -> None:
    """Index the newest version of each changed product (the index drops older ones)."""
    await search.apply_many(latest_changes(changes))


async def create_product(services: Services, listing: ProductListing) -> Product:
    """A new product, without stock (an operator sets it; until stock sync writes the
    mirrored ``quantity``, a new product reads as 0, a revived one keeps its figure)."""
    listed = Product.listed(listing, now=datetime.now(UTC)).model_dump(exclude={"quantity"})
    try:
        document = await catalog_store.create_product(services.engines.mongo, listed)
    except DuplicateKeyError as exc:
        raise ProductExists(listing.product_id) from exc
    return Product.model_validate(document)


async def update_product(
    services: Services, product_id: str, changes: Mapping[str, Any]
) -> Product:
    """Only the fields given change; ``updatedAt`` and the version are bumped."""
    document = await catalog_store.update_product(services.engines.mongo, product_id, changes)
    if document is None:
        raise ProductNotFound(product_id)
    return Product.model_validate(document)


async def delete_product(services: Services, product_id: str) -> None:
    """Soft delete: the tombstone carries the delete to search; the inventory row stays for
    order history and audit."""
    if not await catalog_store.delete_product(services.engines.mongo, product_id):
        raise ProductNotFound(product_id)


async def product_page(services: Services, product_id: str) -> tuple[Product, int]:
    """The live catalog document and the units available now (a tombstone is not found)."""
    document, available = await asyncio.gather(
        catalog_store.find_product(services.engines.mongo, product_id),
        stock.available(services, product_id),
    )
    if document is None:
        raise ProductNotFound(product_id)
    return Product.model_validate(document), available
