"""GET /v1/products/search against real Elasticsearch, on this run's seeded catalog."""

import math

import httpx
import pytest

from adapters.catalog_documents import Product
from api.models.catalog import MAX_PAGE_SIZE
from config import Settings
from harness.inprocess import in_process_api
from tests.catalog.conftest import RUN

SEARCH = "/v1/products/search"


async def search(api: httpx.AsyncClient, **query: object) -> dict:
    response = await api.get(SEARCH, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def ids(result: dict) -> set[str]:
    return {hit["productId"] for hit in result["products"]}


@pytest.mark.parametrize("term", ["iPhon", "iphnoe", "iphone 15 pro", "APPLE IPHONE"])
async def test_fuzzy_and_prefix_terms_find_the_iphone(api: httpx.AsyncClient, term: str) -> None:
    result = await search(api, term=term, size=5)
    assert result["products"], f"nothing found for {term!r}"
    assert "iPhone" in result["products"][0]["title"]


async def test_exact_title_ranks_first(api: httpx.AsyncClient, catalog: list[Product]) -> None:
    result = await search(api, term="Apple iPhone 15 Pro 256GB")
    assert result["products"][0]["productId"] == catalog[0].product_id


async def test_hits_have_the_design_shape(api: httpx.AsyncClient, catalog: list[Product]) -> None:
    hit = (await search(api, term="Apple iPhone 15 Pro 256GB", size=1))["products"][0]
    hero = catalog[0]
    assert hit == {
        "productId": hero.product_id,
        "title": hero.title,
        "brand": hero.brand,
        "category": hero.category,
        "price": hero.price,
        "currency": "USD",
        "thumbnail": str(hero.thumbnail),
        "rating": hero.rating,
        "availableQty": hero.quantity,
    }


async def test_category_filter_is_exact_and_case_insensitive(
    api: httpx.AsyncClient, catalog: list[Product]
) -> None:
    phones = {p.product_id for p in catalog if p.category == "Phones"}
    for spelling in ("Phones", "phones"):
        result = await search(api, category=spelling, size=MAX_PAGE_SIZE)
        assert ids(result) == phones
        assert result["pagination"]["totalResults"] == len(phones)


async def test_price_range_filter(api: httpx.AsyncClient, catalog: list[Product]) -> None:
    expected = {p.product_id for p in catalog if 20 <= p.price <= 60}
    result = await search(api, minPrice=20, maxPrice=60, size=MAX_PAGE_SIZE)
    assert result["pagination"]["totalResults"] == len(expected)
    assert all(20 <= hit["price"] <= 60 for hit in result["products"])


async def test_min_rating_and_in_stock_filters(
    api: httpx.AsyncClient, catalog: list[Product]
) -> None:
    expected = {p.product_id for p in catalog if p.rating >= 4.5 and p.quantity > 0}
    result = await search(api, minRating=4.5, inStock="true", size=MAX_PAGE_SIZE)
    assert ids(result) == expected
    assert all(hit["availableQty"] > 0 for hit in result["products"])


async def test_filters_combine_with_a_term(api: httpx.AsyncClient) -> None:
    result = await search(api, term="iphone", inStock="true")
    titles = [hit["title"] for hit in result["products"]]
    assert "Google Pixel 8 Pro 128GB" not in titles, "sold out and not an iPhone"
    assert all(hit["availableQty"] > 0 for hit in result["products"])


async def test_empty_term_lists_everything_in_stock_first_by_rating(
    api: httpx.AsyncClient, catalog: list[Product]
) -> None:
    result = await search(api, size=MAX_PAGE_SIZE)
    order = [(hit["availableQty"] == 0, -hit["rating"]) for hit in result["products"]]
    assert order == sorted(order)
    assert result["pagination"]["totalResults"] == len(catalog)


async def test_pages_partition_the_results(api: httpx.AsyncClient, catalog: list[Product]) -> None:
    size = 7
    first = await search(api, page=1, size=size)
    pages = first["pagination"]
    assert pages == {
        "page": 1,
        "size": size,
        "totalPages": math.ceil(len(catalog) / size),
        "totalResults": len(catalog),
    }
    last = await search(api, page=pages["totalPages"], size=size)
    assert len(last["products"]) == len(catalog) - (pages["totalPages"] - 1) * size
    seen: list[str] = []
    for page in range(1, math.ceil(len(catalog) / MAX_PAGE_SIZE) + 1):
        seen += [hit["productId"] for hit in (await search(api, page=page, size=100))["products"]]
    assert sorted(seen) == sorted(p.product_id for p in catalog), "no gaps, no repeats"


async def test_page_past_the_end_is_empty(api: httpx.AsyncClient) -> None:
    result = await search(api, page=50, size=100)
    assert result["products"] == []
    assert result["pagination"]["page"] == 50


@pytest.mark.parametrize(
    "query",
    [
        {"size": MAX_PAGE_SIZE + 1},
        {"size": 0},
        {"page": 0},
        {"minPrice": 100, "maxPrice": 10},
        {"minRating": "high"},
        {"inStock": "maybe"},
        {"page": 200, "size": 100},
        {"colour": "red"},
    ],
)
async def test_bad_params_are_422_json(api: httpx.AsyncClient, query: dict) -> None:
    response = await api.get(SEARCH, params=query)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


async def test_search_without_an_index_is_503_json(engines: Settings) -> None:
    unbuilt = engines.model_copy(update={"search_alias": f"never-built-{RUN}"})
    async with in_process_api(unbuilt) as (_, client):
        response = await client.get(SEARCH, params={"term": "iphone"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "search_unavailable"
