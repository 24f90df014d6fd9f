"""Live prices from the catalog (Mongo ``products``), read at view and checkout time."""

from collections.abc import Iterable

from bson.decimal128 import Decimal128
from pymongo.asynchronous.database import AsyncDatabase

from domain.pricing import ProductPrice, money

_PRICE_FIELDS = {"_id": 0, "productId": 1, "title": 1, "price": 1, "currency": 1}


async def live_prices(
    catalog: AsyncDatabase, product_ids: Iterable[str]
) -> dict[str, ProductPrice]:
    """Prices of the products that exist; an unknown id is simply absent from the result."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    cursor = catalog.products.find({"productId": {"$in": ids}}, _PRICE_FIELDS)
    return {doc["productId"]: _to_price(doc) async for doc in cursor}


def _to_price(doc: dict) -> ProductPrice:
    raw = doc["price"]
    return ProductPrice(
        product_id=doc["productId"],
        title=doc.get("title", ""),
        price=money(raw.to_decimal() if isinstance(raw, Decimal128) else raw),
        currency=doc.get("currency", "USD"),
    )
