"""Storefront catalog reads: search (Elasticsearch only) and the product page (Mongo + stock)."""

from typing import Annotated

from elasticsearch import NotFoundError, TransportError
from fastapi import APIRouter, Query

from api.deps import ClientsDep, ServicesDep
from api.errors import RETRY_AFTER_SECONDS, ApiError, error_responses
from api.models.catalog import ProductDetails, SearchParams, SearchResponse
from api.params import ProductIdPath
from api.search import build_search_body, parse_search_response
from services import catalog

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
async def product_details(product_id: ProductIdPath, services: ServicesDep) -> ProductDetails:
    """Catalog document from Mongo with live availableQty (Redis mirror, else Postgres).

    A deleted product (a tombstone) is a 404 like one that never existed.
    """
    return ProductDetails.of(*await catalog.product_page(services, product_id))
