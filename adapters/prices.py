"""Live prices at view and checkout time: from the product cache the catalog stream keeps
(``adapters.product_cache``), else from the catalog (Mongo ``products``).

One equality lookup per product rather than one ``$in``: FerretDB 1.x pushes string equality
down to Postgres (an indexed lookup) but evaluates ``$in`` by scanning the whole collection. On
MongoDB both are index lookups, so nothing is lost there. Deleted products (tombstones) are
filtered with ``catalog_store.LIVE``: FerretDB pushes its ``$ne`` into the same Postgres query
(``explain`` shows one filter), so it is still one lookup, and a deleted product is unknown.

Concurrent lookups of the same product share one query (single flight). In a flash sale a
thousand checkouts of one product then cost the catalog one read instead of a thousand, and
every caller still gets a price read after it asked.
"""

import asyncio
from collections.abc import Iterable

from pymongo.asynchronous.database import AsyncDatabase

from adapters.catalog_collection import PRODUCTS
from adapters.catalog_documents import Product
from adapters.catalog_store import LIVE
from adapters.product_cache import ProductCache
from domain.pricing import ProductPrice, money

_PRICE_FIELDS = {"_id": 0, "productId": 1, "title": 1, "price": 1, "currency": 1}


class PriceReader:
    """One per API process (its in-flight lookups are shared by all requests)."""

    def __init__(self, catalog: AsyncDatabase, cache: ProductCache) -> None:
        self._catalog = catalog
        self._cache = cache
        self._in_flight: dict[str, asyncio.Future[dict | None]] = {}

    async def live_prices(self, product_ids: Iterable[str]) -> dict[str, ProductPrice]:
        """Prices of the live products; an unknown or deleted id is absent from the result."""
        wanted = sorted(set(product_ids))
        cached = await self._cache.get_many(wanted)
        prices = {
            pid: _cached_price(product)
            for pid, product in cached.items()
            if isinstance(product, Product)
        }
        lookups = [self._lookup(pid) for pid in wanted if pid not in cached]
        # Shielded: a caller that gives up must not cancel the query other callers wait for.
        docs = await asyncio.gather(*(asyncio.shield(lookup) for lookup in lookups))
        return prices | {doc["productId"]: _to_price(doc) for doc in docs if doc is not None}

    def _lookup(self, product_id: str) -> asyncio.Future[dict | None]:
        lookup = self._in_flight.get(product_id)
        if lookup is None:
            query = self._catalog[PRODUCTS].find_one(
                {"productId": product_id, **LIVE}, _PRICE_FIELDS
            )
            lookup = asyncio.ensure_future(query)
            self._in_flight[product_id] = lookup
            lookup.add_done_callback(lambda _: self._in_flight.pop(product_id, None))
        return lookup


def _cached_price(product: Product) -> ProductPrice:
    return ProductPrice(
        product_id=product.product_id,
        title=product.title,
        price=money(product.price),
        currency=product.currency,
    )


def _to_price(doc: dict) -> ProductPrice:
    return ProductPrice(
        product_id=doc["productId"],
        title=doc["title"],
        price=money(doc["price"]),
        currency=doc["currency"],
    )
