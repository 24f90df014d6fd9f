"""Storefront catalog reads: search (Elasticsearch only) and the product page (Mongo + stock)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from elasticsearch import NotFoundError, TransportError
from fastapi import APIRouter, Query

from api.deps import ClientsDep, ServicesDep
from api.errors import RETRY_AFTER_SECONDS, ApiError
from api.models.catalog import (
    ProductDetails,
    SearchParams,
    SearchResponse,
    SuggestParams,
    SuggestResponse,
)
from api.openapi import error_responses
from api.params import ProductIdPath
from api.search import (
    build_search_body,
    parse_search_response,
    parse_spelling,
    parse_suggest,
    spelling_body,
    suggest_body,
    wants_spelling,
)
from services import catalog

router = APIRouter(prefix="/products", tags=["products"])
RETRY = {"Retry-After": str(RETRY_AFTER_SECONDS)}


@router.get("/search", response_model=SearchResponse)
async def search_products(
    params: Annotated[SearchParams, Query()], clients: ClientsDep
) -> SearchResponse:
    """Full-text search with facets, sorting and a "did you mean" when nothing matches;
    `size` above 100 is refused with 422."""
    async with _search_errors():
        raw = (
            await clients.es.search(
                index=clients.settings.search_alias, **build_search_body(params)
            )
        ).body
        correction = None
        if wants_spelling(params, raw):
            spelling = await clients.es.search(
                index=clients.settings.search_alias, **spelling_body(params.term)
            )
            correction = parse_spelling(spelling.body)
    return parse_search_response(raw, params, correction)


@router.get("/suggest", response_model=SuggestResponse)
async def suggest_products(
    params: Annotated[SuggestParams, Query()], clients: ClientsDep
) -> SuggestResponse:
    """Completions for the search box: product lines, brands and categories."""
    async with _search_errors():
        raw = await clients.es.search(index=clients.settings.search_alias, **suggest_body(params))
    return parse_suggest(raw.body, params)


@asynccontextmanager
async def _search_errors() -> AsyncIterator[None]:
    """Elasticsearch unreachable or the index missing: 503 with Retry-After."""
    try:
        yield
    except NotFoundError as exc:
        raise ApiError(
            503, "search_unavailable", "the search index is not built yet", headers=RETRY
        ) from exc
    except TransportError as exc:
        raise ApiError(
            503, "search_unavailable", "search is temporarily unavailable", headers=RETRY
        ) from exc


@router.get("/{productId}", response_model=ProductDetails, responses=error_responses(404))
async def get_product(product_id: ProductIdPath, services: ServicesDep) -> ProductDetails:
    """Catalog document from Mongo with live availableQty (Redis mirror, else Postgres).

    A deleted product (a tombstone) is a 404 like one that never existed.
    """
    return ProductDetails.of(*await catalog.product_page(services, product_id))
