"""With a dependency down the storefront degrades, it does not fail: browsing survives Redis,
product pages survive Elasticsearch, search survives MongoDB; what cannot work answers 503
with ``Retry-After``; ``/healthz`` names the dependency that is down."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from adapters.connections import Clients
from api.metrics import DEGRADED_REQUESTS
from config import Settings
from harness.factories import Shopper, create_product, put_in_carts
from harness.flows import checkout
from harness.inprocess import in_process_api

pytestmark = pytest.mark.engines

NOWHERE = {
    "redis": {"redis_url": "redis://127.0.0.1:1/0"},
    "elasticsearch": {"elasticsearch_url": "http://127.0.0.1:1"},
    "mongo": {"mongo_url": "mongodb://127.0.0.1:1/", "mongo_timeout_ms": 300},
}


@asynccontextmanager
async def without(settings: Settings, dependency: str) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process_api(settings.model_copy(update=NOWHERE[dependency])) as (_, api):
        yield api


def assert_unavailable(response: httpx.Response, dependency: str | None = None) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    error = response.json()["error"]
    assert dependency is None or error["dependency"] == dependency


async def health(api: httpx.AsyncClient) -> dict:
    response = await api.get("/healthz")
    assert response.status_code == 200
    return response.json()


async def test_without_redis_browsing_works_and_checkout_fails_closed(
    app_settings: Settings, clients: Clients, shopper: Shopper
) -> None:
    product = await create_product(clients, stock=7)
    await put_in_carts(clients, [shopper], product, 1)
    skipped = DEGRADED_REQUESTS.labels(dependency="redis", feature="rate_limit_ip")
    before = skipped._value.get()
    async with without(app_settings, "redis") as api:
        search = await api.get("/v1/products/search", params={"term": "Test product"})
        assert search.status_code == 200, search.text
        page = await api.get(f"/v1/products/{product}")
        assert page.status_code == 200 and page.json()["availableQty"] == 7  # from Postgres
        refused = await checkout(api, shopper, [(product, 1, 19.99)])
        assert_unavailable(refused, "redis")
        assert (await health(api))["dependencies"]["redis"] == "down"
    assert skipped._value.get() > before, "the skipped rate limits are counted"


async def test_without_elasticsearch_search_is_503_and_pages_work(
    app_settings: Settings, clients: Clients
) -> None:
    product = await create_product(clients, stock=3)
    async with without(app_settings, "elasticsearch") as api:
        assert_unavailable(await api.get("/v1/products/search", params={"term": "phone"}))
        assert (await api.get(f"/v1/products/{product}")).status_code == 200
        assert (await health(api))["dependencies"]["elasticsearch"] == "down"


async def test_without_mongo_search_works_and_catalog_reads_are_503(
    app_settings: Settings, shopper: Shopper
) -> None:
    async with without(app_settings, "mongo") as api:
        assert (await api.get("/v1/products/search", params={"term": "x"})).status_code == 200
        assert_unavailable(await api.get("/v1/products/prod_000001"), "mongo")
        add = await api.post(
            "/v1/cart/add",
            json={"productId": "prod_000001", "quantity": 1},
            headers=shopper.headers,
        )
        assert_unavailable(add, "mongo")
        state = await health(api)
        assert state["status"] == "degraded" and state["dependencies"]["mongo"] == "down"
        assert state["dependencies"]["postgres"] == "ok"


async def test_healthz_reports_ok_when_everything_answers(api: httpx.AsyncClient) -> None:
    state = await health(api)
    assert state == {
        "status": "ok",
        "dependencies": {
            "postgres": "ok",
            "redis": "ok",
            "mongo": "ok",
            "elasticsearch": "ok",
        },
    }
