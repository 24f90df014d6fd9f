"""GET /v1/products/{productId}: Mongo document with live stock from Redis, else Postgres."""

from collections.abc import Iterator

import httpx
import psycopg
import pytest
from redis import Redis

from adapters.catalog_documents import Product
from adapters.stock_cache import StockKeys
from api.rate_limit import window_key
from config import Settings

KEYS = StockKeys()


@pytest.fixture
def redis(engines: Settings) -> Iterator[Redis]:
    client = Redis.from_url(engines.redis_url, decode_responses=True)
    yield client
    client.close()


async def details(api: httpx.AsyncClient, product_id: str) -> dict:
    response = await api.get(f"/v1/products/{product_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def test_details_have_the_design_shape(
    api: httpx.AsyncClient, catalog: list[Product], engines: Settings
) -> None:
    hero = catalog[0]
    body = await details(api, hero.product_id)
    assert body["title"] == "Apple iPhone 15 Pro 256GB"
    assert body["description"].startswith(hero.title)
    assert (body["category"], body["brand"]) == ("Phones", "Apple")
    assert (body["price"], body["currency"]) == (999.99, "USD")
    assert body["images"] == [str(url) for url in hero.images]
    assert all(url.startswith(engines.media_base_url) for url in body["images"])
    assert body["thumbnail"].endswith("/thumbnail-200.webp")
    assert body["specifications"]["storage"] == "256GB"
    assert body["rating"] == hero.rating and body["reviewCount"] == hero.review_count
    assert len(body["reviews"]) == len(hero.reviews)


async def test_cached_stock_wins(
    api: httpx.AsyncClient, catalog: list[Product], redis: Redis
) -> None:
    product = catalog[10]
    redis.set(KEYS.available(product.product_id), 42)
    try:
        assert (await details(api, product.product_id))["availableQty"] == 42
    finally:
        redis.delete(KEYS.available(product.product_id))


async def test_cache_miss_reads_postgres(
    api: httpx.AsyncClient, catalog: list[Product], redis: Redis, engines: Settings
) -> None:
    product = catalog[11]
    redis.delete(
        KEYS.available(product.product_id)
    )  # evicted (the stock-sync agent may have set it)
    with psycopg.connect(engines.postgres_dsn) as pg:
        (stock,) = pg.execute(
            "SELECT available_qty FROM inventory WHERE product_id = %s", (product.product_id,)
        ).fetchone()
    assert stock == product.quantity
    assert (await details(api, product.product_id))["availableQty"] == stock


async def test_a_malformed_cache_value_falls_back_to_postgres(
    api: httpx.AsyncClient, catalog: list[Product], redis: Redis
) -> None:
    product = catalog[12]
    redis.set(KEYS.available(product.product_id), "not-a-number")
    try:
        assert (await details(api, product.product_id))["availableQty"] == product.quantity
    finally:
        redis.delete(KEYS.available(product.product_id))


async def test_unknown_product_is_404_json(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/products/prod_does_not_exist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "product_not_found"


async def test_the_page_from_redis_is_the_routes_page_and_counts_once(
    api: httpx.AsyncClient, catalog: list[Product], redis: Redis, engines: Settings
) -> None:
    """``api.product_page`` answers from the product cache and the stock mirror; a query
    string sends the same request to the route, which must answer alike."""
    product = catalog[13]
    redis.set(KEYS.available(product.product_id), 7)
    counter = window_key("ip", "127.0.0.1", engines.rate_limit_window_seconds)
    try:
        routed = await api.get(f"/v1/products/{product.product_id}?via=route")  # fills the cache
        hits = int(redis.get(counter) or 0)
        laned = await api.get(f"/v1/products/{product.product_id}")
        assert int(redis.get(counter)) == hits + 1
    finally:
        redis.delete(KEYS.available(product.product_id))
    assert (laned.status_code, routed.status_code) == (200, 200)
    assert laned.json() == routed.json()
    assert laned.json()["availableQty"] == 7
    assert laned.headers["content-type"] == routed.headers["content-type"]
    assert laned.headers["X-Content-Type-Options"] == "nosniff"
