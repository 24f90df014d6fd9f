"""Storefront catalog reads: search (Elasticsearch only) and the product page (Mongo + stock)."""

import asyncio
from typing import Annotated

from elasticsearch import NotFoundError, TransportError
from fastapi import APIRouter, Query

from adapters import catalog_store, inventory_store
from adapters.connections import Clients
from adapters.stock_cache import StockMirror
from api.deps import ClientsDep
from api.errors import RETRY_AFTER_SECONDS, ApiError, error_responses
from api.params import ProductIdPath
from api.search import build_search_body, parse_search_response
from schemas.catalog import Product, ProductDetails, SearchParams, SearchResponse

router = APIRouter(prefix="/products", tags=["products"], responses=error_responses(404))
RETRY = {"Retry-After": str(RETRY_AFTER_SECONDS)}


@router.get("/search", response_model=SearchResponse)
async def search_products(
    params: Annotated[SearchParams, Query()], clients: ClientsDep
) -> SearchResponse:
    """Fuzzy full-text search with filters; `size` above 100 is refused with 422."""
    try:
        raw = await clients.es.search(
            index=clients.settings.search_alias, body=build_search_body(params)
        )
    except NotFoundError as exc:
        raise ApiError(
            503, "search_unavailable", "the search index is not built yet", headers=RETRY
        ) from exc
    except TransportError as exc:
        raise ApiError(
            503, "search_unavailable", "search is temporarily unavailable", headers=RETRY
        ) from exc
    return parse_search_response(raw.body, params)


@router.get("/{productId}", response_model=ProductDetails)
async def product_details(product_id: ProductIdPath, clients: ClientsDep) -> ProductDetails:
    """Catalog document from Mongo with live availableQty (Redis cache, else Postgres).

    A deleted product (a tombstone) is a 404 like one that never existed.
    """
    document, qty = await asyncio.gather(
        catalog_store.find_product(clients.mongo, product_id),
        _available(clients, product_id),
    )
    if document is None:
        raise ApiError(404, "product_not_found", f"no product {product_id!r}")
    return ProductDetails.of(Product.model_validate(document), qty)


async def _available(clients: Clients, product_id: str) -> int:
    """The stock mirror's count, else Postgres' (a miss, or Redis unreachable). The API never
    fills the mirror: every mirrored value is one the pipeline took from Postgres."""
    mirrored = await StockMirror(clients.redis).available(product_id)
    if mirrored is not None:
        return mirrored
    async with clients.pg.connection() as conn:
        return await inventory_store.available(conn, product_id)
