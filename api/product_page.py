"""Product pages answered from Redis alone, before FastAPI's routing (``api.lanes``).

A product page is the storefront's most frequent read, and the catalog stream keeps
everything it shows in Redis: the product (``adapters.product_cache``) and its available count
(the stock mirror). This lane reads both and counts the client address in one round trip and
renders the route's own model; a product either copy lacks (a miss, a deletion, a malformed
entry), a query string, an id the route would refuse or an unreachable Redis go on to
``GET /v1/products/{productId}``, which reads the catalog and Postgres.
"""

import re

from redis.exceptions import RedisError
from starlette.responses import Response
from starlette.types import ASGIApp, Scope

from adapters.catalog_documents import PRODUCT_ID_PATTERN
from api.lanes import Lane, Replay, address_counter, counted
from api.models.catalog import ProductDetails
from services.catalog import cached_page

TEMPLATE = "/v1/products/{productId}"
_PAGE = re.compile(r"/v1/products/([^/]+)")
_PRODUCT_ID = re.compile(PRODUCT_ID_PATTERN)


def product_page_lane(app: ASGIApp) -> Lane:
    return Lane(app, "GET", TEMPLATE, _takes, _answer, passes_on=(RedisError,))


def _takes(scope: Scope) -> bool:
    return not scope["query_string"] and _product_id(scope) is not None


def _product_id(scope: Scope) -> str | None:
    page = _PAGE.fullmatch(scope["path"])
    return page.group(1) if page and _PRODUCT_ID.match(page.group(1)) else None


async def _answer(scope: Scope, _: Replay) -> Response | None:
    services = scope["app"].state.services
    settings = services.settings
    product_id = _product_id(scope)
    assert product_id is not None  # ``_takes`` made sure
    hits, page = await cached_page(
        services, product_id, address_counter(scope, settings), settings.rate_limit_window_seconds
    )
    limited = counted(scope, hits, settings)
    if limited is not None or page is None:
        return limited
    body = ProductDetails.of(*page).model_dump_json(by_alias=True)
    return Response(body, media_type="application/json")
