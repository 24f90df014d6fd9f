"""The catalog: operators list, edit and delete products; search and the product cache
follow every change.

Every write goes through ``adapters.catalog_store`` (stamps and versions the change feed
finds); deletes are soft, so a delete is a change search can see, and listing a deleted id
again revives it at a newer version. Product pages read the product cache the catalog stream
keeps (``cache_products``); the operator's writes and a page's miss also fill it, at the
catalog's version, so nothing older replaces what is cached.
"""

import asyncio
import contextlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError
from redis.exceptions import RedisError

from adapters import catalog_store
from adapters.catalog_documents import Product, ProductListing
from adapters.product_cache import DELETED, ProductCache
from adapters.stock_cache import StockKeys, mirrored_count
from domain.catalog import CatalogChange, ProductExists, latest_changes
from domain.pricing import ProductNotFound
from services import stock
from services.context import ProductCacheSink, SearchSink, Services


async def sync_search(search: SearchSink, changes: Iterable[CatalogChange]) -> None:
    """Index the newest version of each changed product (the index drops older ones)."""
    await search.apply_many(latest_changes(changes))


async def cache_products(cache: ProductCacheSink, changes: Iterable[CatalogChange]) -> None:
    """Cache the newest version of each changed product (the cache keeps a newer one)."""
    await asyncio.gather(
        *(
            cache.put(change.product_id, change.version, _live(change.document))
            for change in latest_changes(changes)
        )
    )


def _live(document: Mapping[str, Any] | None) -> Product | None:
    return None if document is None else Product.model_validate(document)


async def create_product(services: Services, listing: ProductListing) -> Product:
    """A new product, without stock (an operator sets it; until stock sync writes the
    mirrored ``quantity``, a new product reads as 0, a revived one keeps its figure)."""
    listed = Product.listed(listing, now=datetime.now(UTC)).model_dump(exclude={"quantity"})
    try:
        document = await catalog_store.create_product(services.engines.mongo, listed)
    except DuplicateKeyError as exc:
        raise ProductExists(listing.product_id) from exc
    product = Product.model_validate(document)
    await fill_cache(services, product.product_id, document["version"], product)
    return product


async def update_product(
    services: Services, product_id: str, changes: Mapping[str, Any]
) -> Product:
    """Only the fields given change; ``updatedAt`` and the version are bumped."""
    document = await catalog_store.update_product(services.engines.mongo, product_id, changes)
    if document is None:
        raise ProductNotFound(product_id)
    product = Product.model_validate(document)
    await fill_cache(services, product_id, document["version"], product)
    return product


async def delete_product(services: Services, product_id: str) -> None:
    """Soft delete: the tombstone carries the delete to search; the inventory row stays for
    order history and audit."""
    version = await catalog_store.delete_product(services.engines.mongo, product_id)
    if version is None:
        raise ProductNotFound(product_id)
    await fill_cache(services, product_id, version, None)


async def product_page(services: Services, product_id: str) -> tuple[Product, int]:
    """The product (from the cache the catalog stream keeps, else the catalog, which then
    fills it) and the units available now; a deleted product is not found."""
    product, available = await asyncio.gather(
        _product(services, product_id), stock.available(services, product_id)
    )
    return product, available


async def cached_page(
    services: Services, product_id: str, counter: str, window_seconds: int
) -> tuple[int, tuple[Product, int] | None]:
    """``product_page`` from Redis alone, in one round trip that also counts the API's request
    ``counter`` (a rate-limit window): its hits, and the product with its available units when
    the product cache and the stock mirror both hold them (None: ``product_page`` reads the
    rest, a deleted product included)."""
    cache = ProductCache(services.engines.redis)
    hits, cached, stock = await cache.count_and_read_page(
        product_id, StockKeys().available(product_id), counter, window_seconds
    )
    available = mirrored_count(product_id, stock)
    if not isinstance(cached, Product) or available is None:
        return hits, None
    return hits, (cached, available)


async def is_listed(services: Services, product_id: str) -> bool:
    """Whether the product is listed: the product cache first (the catalog stream keeps it),
    else the catalog, so a rush of cart additions does not fall on the catalog server."""
    cached = (await services.products.get_many([product_id])).get(product_id)
    if cached is not None:
        return isinstance(cached, Product)
    return await catalog_store.product_exists(services.engines.mongo, product_id)


async def _product(services: Services, product_id: str) -> Product:
    cached = (await services.products.get_many([product_id])).get(product_id)
    if isinstance(cached, Product):
        return cached
    if cached is DELETED:
        raise ProductNotFound(product_id)
    document = await catalog_store.find_product(services.engines.mongo, product_id)
    if document is None:
        raise ProductNotFound(product_id)
    product = Product.model_validate(document)
    await fill_cache(services, product_id, document["version"], product)
    return product


async def fill_cache(
    services: Services, product_id: str, version: int, product: Product | None
) -> None:
    """The cache takes what the catalog just gave or wrote (never over a newer entry), so an
    operator reads their own write before the stream brings it; a failed fill only costs the
    next reader a catalog read."""
    with contextlib.suppress(RedisError):
        await services.products.put(product_id, version, product)
