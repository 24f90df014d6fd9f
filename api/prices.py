"""Live prices from the catalog (Mongo ``products``), read at view and checkout time.

One equality lookup per product, run concurrently, rather than one ``$in``: FerretDB 1.x pushes
string equality down to Postgres (an indexed lookup) but evaluates ``$in`` by scanning the whole
collection, which a flash sale turns into thousands of full scans. On MongoDB both are index
lookups, so nothing is lost there.
"""

import asyncio
from collections.abc import Iterable

from pymongo.asynchronous.database import AsyncDatabase

from domain.pricing import ProductPrice, money
from schemas.mongo_products import PRODUCTS

_PRICE_FIELDS = {"_id": 0, "productId": 1, "title": 1, "price": 1, "currency": 1}


async def live_prices(
    catalog: AsyncDatabase, product_ids: Iterable[str]
) -> dict[str, ProductPrice]:
    """Prices of the products that exist; an unknown id is simply absent from the result."""
    docs = await asyncio.gather(
        *(
            catalog[PRODUCTS].find_one({"productId": pid}, _PRICE_FIELDS)
            for pid in sorted(set(product_ids))
        )
    )
    return {doc["productId"]: _to_price(doc) for doc in docs if doc is not None}


def _to_price(doc: dict) -> ProductPrice:
    return ProductPrice(
        product_id=doc["productId"],
        title=doc["title"],
        price=money(doc["price"]),
        currency=doc["currency"],
    )
