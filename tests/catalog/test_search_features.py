"""What a shopper gets from search on real Elasticsearch: words as they type them, facets,
sorting, suggestions and corrections, on this run's seeded catalog."""

from collections import Counter
from collections.abc import Callable

import httpx
import pytest

from adapters.catalog_documents import Product
from api.models.catalog import MAX_PAGE_SIZE
from api.search import PRICE_BANDS

SEARCH = "/v1/products/search"
SUGGEST = "/v1/products/suggest"


async def get(api: httpx.AsyncClient, path: str, **query: object) -> dict:
    response = await api.get(path, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def by_id(catalog: list[Product]) -> dict[str, Product]:
    return {product.product_id: product for product in catalog}


def titled(*words: str) -> Callable[[Product], bool]:
    return lambda product: any(word in product.title.lower() for word in words)


def in_category(name: str) -> Callable[[Product], bool]:
    return lambda product: product.category == name


@pytest.mark.parametrize(
    ("term", "relevant"),
    [
        ("phone", in_category("Phones")),
        ("phones", in_category("Phones")),
        ("cell phone", in_category("Phones")),
        ("smartphone", in_category("Phones")),
        ("mobile phones", in_category("Phones")),
        ("laptops", in_category("Laptops")),
        ("notebook computer", in_category("Laptops")),
        ("vacuum cleaner", titled("vacuum")),
        ("sneakers", titled("running shoes")),
        ("headphone", titled("headphones")),
        ("tshirt", titled("t-shirt")),
        ("t shirt", titled("t-shirt")),
        ("airfryer", titled("air fryer")),
        ("television", titled(" tv")),
    ],
)
async def test_everyday_words_find_what_they_mean(
    api: httpx.AsyncClient, catalog: list[Product], term: str, relevant: Callable
) -> None:
    """The top hits are relevant: all of them when the catalog has that many."""
    products = by_id(catalog)
    expected = min(5, sum(map(relevant, catalog)))
    assert expected, f"the test catalog has nothing for {term!r}"
    top = (await get(api, SEARCH, term=term, size=5))["products"][:expected]
    assert len(top) == expected, f"{term!r}: {len(top)} hits"
    assert all(relevant(products[hit["productId"]]) for hit in top), (term, top)


async def test_out_of_stock_ranks_below_in_stock(
    api: httpx.AsyncClient, catalog: list[Product]
) -> None:
    hits = (await get(api, SEARCH, term="phone", size=MAX_PAGE_SIZE))["products"]
    stocked = [hit["availableQty"] > 0 for hit in hits]
    assert stocked == sorted(stocked, reverse=True)
    assert not all(stocked), "the test catalog has a sold-out phone"
    hidden = await get(api, SEARCH, term="phone", inStock="true", size=MAX_PAGE_SIZE)
    assert len(hidden["products"]) == stocked.count(True)


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("price-asc", lambda p: p.price),
        ("price-desc", lambda p: -p.price),
        ("rating", lambda p: (-p.rating, -p.review_count)),
        ("newest", lambda p: -p.created_at.timestamp()),
    ],
)
async def test_sorts_order_each_stock_group(
    api: httpx.AsyncClient, catalog: list[Product], sort: str, key: Callable
) -> None:
    products = by_id(catalog)
    hits = (await get(api, SEARCH, category="Laptops", sort=sort, size=MAX_PAGE_SIZE))["products"]
    ranked = [products[hit["productId"]] for hit in hits]
    expected = sorted(ranked, key=lambda p: (p.quantity == 0, key(p), p.product_id))
    assert [p.product_id for p in ranked] == [p.product_id for p in expected]


async def test_facets_count_what_the_filters_leave(
    api: httpx.AsyncClient, catalog: list[Product]
) -> None:
    facets = (await get(api, SEARCH, size=1))["facets"]
    categories = Counter(p.category for p in catalog)
    assert {f["value"]: f["count"] for f in facets["category"]} == dict(categories)
    bands = list(zip(PRICE_BANDS, [*PRICE_BANDS[1:], None], strict=True))
    expected_bands = {
        low: sum(low <= p.price and (high is None or p.price < high) for p in catalog)
        for low, high in bands
    }
    assert {b["from"]: b["count"] for b in facets["price"]} == {
        low: count for low, count in expected_bands.items() if count
    }
    four_up = sum(p.rating >= 4 for p in catalog)
    assert {"min": 4, "count": four_up} in facets["rating"]


async def test_brands_are_multi_select(api: httpx.AsyncClient, catalog: list[Product]) -> None:
    phones = [p for p in catalog if p.category == "Phones"]
    chosen = {"Apple", "Samsung"}
    result = await get(
        api, SEARCH, category="Phones", brand=["apple", "Samsung"], size=MAX_PAGE_SIZE
    )
    assert {hit["brand"] for hit in result["products"]} <= chosen
    assert result["pagination"]["totalResults"] == sum(p.brand in chosen for p in phones)
    brands = {f["value"]: (f["count"], f["selected"]) for f in result["facets"]["brand"]}
    every_brand = Counter(p.brand for p in phones)
    assert brands == {b: (n, b in chosen) for b, n in every_brand.items()}, (
        "other brands stay countable, so a shopper can add one"
    )
    (category,) = result["facets"]["category"]
    total = result["pagination"]["totalResults"]
    assert category == {"value": "Phones", "count": total, "selected": True}


async def test_suggest_completes_lines_brands_and_categories(api: httpx.AsyncClient) -> None:
    iph = await get(api, SUGGEST, prefix="iph")
    assert iph["suggestions"] and all(s.lower().startswith("iph") for s in iph["suggestions"])
    assert len(iph["suggestions"]) == len(set(iph["suggestions"]))
    assert "Samsung" in (await get(api, SUGGEST, prefix="sams"))["suggestions"]
    assert "Phones" in (await get(api, SUGGEST, prefix="Pho"))["suggestions"]
    typo = await get(api, SUGGEST, prefix="ipho")
    assert typo["suggestions"], "a typo in a longer prefix is forgiven"
    assert (await get(api, SUGGEST, prefix="zzzzqqq"))["suggestions"] == []


@pytest.mark.parametrize(
    "query", [{}, {"prefix": ""}, {"prefix": "x" * 61}, {"prefix": "ab\x1f"}, {"size": 0}]
)
async def test_bad_suggest_params_are_422(api: httpx.AsyncClient, query: dict) -> None:
    response = await api.get(SUGGEST, params=query)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


async def test_zero_results_answer_did_you_mean(api: httpx.AsyncClient) -> None:
    result = await get(api, SEARCH, term="fhones")
    assert result["products"] == []
    assert result["didYouMean"]
    corrected = await get(api, SEARCH, term=result["didYouMean"])
    assert corrected["products"], f"{result['didYouMean']!r} finds something"
    assert (await get(api, SEARCH, term="phone"))["didYouMean"] is None
