"""The Elasticsearch query builder and response parser (pure, no engine)."""

import pytest
from pydantic import ValidationError

from api.models.catalog import MAX_PAGE_SIZE, SearchParams
from api.search import build_search_body, parse_search_response


def params(**query: object) -> SearchParams:
    """Build params the way FastAPI does, from camelCase query-string names."""
    return SearchParams.model_validate(query)


def test_term_is_fuzzy_prefix_and_phrase_matched() -> None:
    should = build_search_body(params(term="iPhon"))["query"]["bool"]["should"]
    fuzzy, prefix, phrase = should
    assert fuzzy["multi_match"]["fuzziness"] == "AUTO"
    assert fuzzy["multi_match"]["query"] == "iPhon"
    assert "title^3" in fuzzy["multi_match"]["fields"]
    assert prefix["match_bool_prefix"]["title"]["query"] == "iPhon"
    assert phrase["match_phrase"]["title"]["query"] == "iPhon"


def test_term_is_ranked_by_score_then_rating() -> None:
    body = build_search_body(params(term="headphones"))
    assert body["sort"][0] == "_score"
    assert body["sort"][1] == {"rating": "desc"}
    assert body["query"]["bool"]["minimum_should_match"] == 1


def test_empty_term_lists_everything_by_rating() -> None:
    body = build_search_body(params(term="   "))
    assert "should" not in body["query"]["bool"]
    assert body["sort"][0] == {"rating": "desc"}
    assert body["sort"][-1] == {"productId": "asc"}, "a unique tiebreak keeps pages stable"


def test_filters_do_not_score() -> None:
    body = build_search_body(
        params(category="Phones", minPrice=100, maxPrice=500, minRating=4, inStock=True)
    )
    assert body["query"]["bool"]["filter"] == [
        {"term": {"category": "Phones"}},
        {"range": {"price": {"gte": 100, "lte": 500}}},
        {"range": {"rating": {"gte": 4}}},
        {"range": {"availableQty": {"gt": 0}}},
    ]


def test_half_open_price_range() -> None:
    body = build_search_body(params(maxPrice=20))
    assert body["query"]["bool"]["filter"] == [{"range": {"price": {"lte": 20}}}]


def test_no_filters_without_params() -> None:
    assert build_search_body(params(inStock=False))["query"]["bool"]["filter"] == []


def test_pagination_becomes_from_and_size() -> None:
    body = build_search_body(params(page=3, size=25))
    assert (body["from"], body["size"]) == (50, 25)
    assert body["track_total_hits"] is True


def test_only_summary_fields_are_fetched() -> None:
    assert build_search_body(params())["_source"] == [
        "productId",
        "title",
        "price",
        "currency",
        "thumbnail",
        "rating",
        "availableQty",
    ]


@pytest.mark.parametrize(
    "bad",
    [
        {"size": MAX_PAGE_SIZE + 1},
        {"size": 0},
        {"page": 0},
        {"minPrice": 50, "maxPrice": 10},
        {"minPrice": -1},
        {"minRating": 6},
        {"page": 101, "size": 100},
        {"sort": "price"},
    ],
)
def test_bad_params_are_refused(bad: dict) -> None:
    with pytest.raises(ValidationError):
        params(**bad)


def test_response_carries_hits_and_pagination() -> None:
    raw = {
        "hits": {
            "total": {"value": 41, "relation": "eq"},
            "hits": [
                {
                    "_source": {
                        "productId": "prod_000001",
                        "title": "Apple iPhone 15 Pro 256GB",
                        "price": 999.99,
                        "currency": "USD",
                        "thumbnail": "https://cdn.shopstream.example/p/thumb.jpg",
                        "rating": 4.5,
                        "availableQty": 5,
                    }
                }
            ],
        }
    }
    response = parse_search_response(raw, params(page=2, size=20)).model_dump(mode="json")
    assert response["pagination"] == {
        "page": 2,
        "size": 20,
        "totalPages": 3,
        "totalResults": 41,
    }
    assert response["products"][0]["productId"] == "prod_000001"
    assert response["products"][0]["availableQty"] == 5


def test_no_results_means_no_pages() -> None:
    raw = {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}
    assert parse_search_response(raw, params()).pagination.total_pages == 0
