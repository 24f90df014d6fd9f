"""The Elasticsearch query builder and response parsers (pure, no engine)."""

import pytest
from pydantic import ValidationError

from api.models.catalog import MAX_PAGE_SIZE, SearchParams, SuggestParams
from api.search import (
    FIELD_WEIGHTS,
    IN_STOCK_BONUS,
    IN_STOCK_FIRST,
    MATCH_TIER,
    SYNONYM_WEIGHT,
    build_search_body,
    parse_search_response,
    parse_spelling,
    parse_suggest,
    spelling_body,
    suggest_body,
    wants_spelling,
)


def params(**query: object) -> SearchParams:
    """Build params the way FastAPI does, from camelCase query-string names."""
    return SearchParams.model_validate(query)


def clause_kinds(should: list[dict]) -> list[str]:
    return [next(iter(clause)) for clause in should]


def matching(body: dict) -> dict:
    """The bool query of the hits: filters, and with a term the relevance clauses."""
    return body["query"]["bool"]


def relevance(term: str) -> list[dict]:
    """The tier of the words as read, the fuzzy match and the exact title phrase."""
    (clauses,) = matching(build_search_body(params(term=term)))["must"]
    return clauses["bool"]["should"]


def as_read(term: str) -> list[dict]:
    """Each reading, then the typed prefix: what the first tier holds."""
    tier = relevance(term)[0]["dis_max"]["queries"]
    inner = []
    for query in tier:
        matched, bonus = query["bool"]["must"]
        assert bonus == {"constant_score": {"filter": {"match_all": {}}, "boost": MATCH_TIER}}
        inner.append(matched)
    return inner


def found_in(concept: dict) -> list[tuple[str, str, float]]:
    """(field, word or phrase, constant score) of each way a concept can be found."""
    found = []
    for query in concept["dis_max"]["queries"]:
        match = query["constant_score"]["filter"]
        kind = next(iter(match))
        ((field, value),) = match[kind].items()
        values = value if kind == "terms" else [value]
        assert kind != "match_phrase" or " " in value
        found += [(field, one, query["constant_score"]["boost"]) for one in values]
    return found


def test_term_is_read_fuzzy_prefix_and_phrase_matched() -> None:
    _, fuzzy, phrase = relevance("iPhon")
    assert fuzzy["multi_match"]["fuzziness"] == "AUTO"
    assert fuzzy["multi_match"]["query"] == "iPhon"
    assert phrase["match_phrase"]["title"]["query"] == "iPhon"
    reading, prefix = as_read("iPhon")
    assert prefix["match_bool_prefix"]["title"]["query"] == "iPhon"
    (concept,) = reading["bool"]["should"]
    found = found_in(concept)
    assert {field for field, _, _ in found} == set(FIELD_WEIGHTS)
    assert {(word, weight) for field, word, weight in found if field == "categoryTerms"} == {
        ("iphon", FIELD_WEIGHTS["categoryTerms"])
    }


def test_synonyms_weigh_less_than_the_shoppers_words() -> None:
    reading, *_ = as_read("cell phone")
    (concept,) = reading["bool"]["should"]
    in_title = {word: weight for field, word, weight in found_in(concept) if field == "titleTerms"}
    assert in_title["cell phone"] == FIELD_WEIGHTS["titleTerms"]
    assert in_title["phone"] == FIELD_WEIGHTS["titleTerms"] * SYNONYM_WEIGHT
    assert in_title["smartphon"] == in_title["phone"] < in_title["cell phone"]


def test_what_a_product_is_outweighs_what_it_mentions() -> None:
    weights = FIELD_WEIGHTS
    assert weights["categoryTerms"] > weights["headTerms"] > weights["titleTerms"]
    assert weights["titleTerms"] > weights["specTerms"] > weights["descriptionTerms"]


def test_compound_readings_are_alternatives() -> None:
    as_typed, joined, prefix = as_read("air fryer")
    assert len(as_typed["bool"]["should"]) == 2 and len(joined["bool"]["should"]) == 1
    assert "match_bool_prefix" in prefix


def test_a_term_ranks_by_tiers_then_score_then_rating() -> None:
    body = build_search_body(params(term="headphones"))
    assert body["sort"][:2] == ["_score", {"rating": "desc"}]
    assert matching(body)["should"] == [IN_STOCK_BONUS], "in stock first within a tier"
    bonus = IN_STOCK_BONUS["constant_score"]["boost"]
    assert MATCH_TIER > bonus > 1000, "tiers above any text score"
    (clauses,) = matching(body)["must"]
    assert clauses["bool"]["minimum_should_match"] == 1


@pytest.mark.parametrize("term", ["   ", "the", "!!!"])
def test_a_term_without_words_lists_everything_by_rating(term: str) -> None:
    body = build_search_body(params(term=term))
    assert "must" not in matching(body) or term == "the"
    assert body["sort"][-1] == {"productId": "asc"}, "a unique tiebreak keeps pages stable"


def test_empty_term_has_no_score_to_sort_on() -> None:
    body = build_search_body(params())
    assert body["sort"][:2] == [IN_STOCK_FIRST, {"rating": "desc"}]


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("price-asc", {"price": "asc"}),
        ("price-desc", {"price": "desc"}),
        ("rating", {"rating": "desc"}),
        ("newest", {"createdAt": {"order": "desc", "unmapped_type": "date"}}),
    ],
)
def test_sorts_keep_out_of_stock_last(sort: str, key: dict) -> None:
    body = build_search_body(params(term="phone", sort=sort))
    assert body["sort"][:2] == [IN_STOCK_FIRST, key]
    assert "_score" not in body["sort"]


def test_filters_do_not_score() -> None:
    body = build_search_body(
        params(category="Phones", minPrice=100, maxPrice=500, minRating=4, inStock=True)
    )
    assert matching(body)["filter"] == [
        {"term": {"category": "Phones"}},
        {"range": {"price": {"gte": 100, "lte": 500}}},
        {"range": {"rating": {"gte": 4}}},
        {"term": {"inStock": True}},
    ]


def test_brands_filter_the_hits_after_their_own_facet_is_counted() -> None:
    body = build_search_body(params(brand=["Apple", "Samsung"]))
    chosen = {"terms": {"brand": ["Apple", "Samsung"]}}
    assert body["post_filter"] == chosen
    assert chosen not in matching(body)["filter"]
    assert body["aggs"]["selected"]["filter"] == chosen
    assert "brand" in body["aggs"] and "brand" not in body["aggs"]["selected"]["aggs"]


def test_no_filters_without_params() -> None:
    body = build_search_body(params(inStock=False))
    assert matching(body)["filter"] == []
    assert "post_filter" not in body


def test_pagination_becomes_from_and_size() -> None:
    body = build_search_body(params(page=3, size=25))
    assert (body["from"], body["size"]) == (50, 25)
    assert body["track_total_hits"] is True


def test_only_summary_fields_are_fetched() -> None:
    assert build_search_body(params())["_source"] == [
        "productId",
        "title",
        "brand",
        "category",
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
        {"brand": [""]},
        {"brand": ["x"] * 21},
    ],
)
def test_bad_params_are_refused(bad: dict) -> None:
    with pytest.raises(ValidationError):
        params(**bad)


def bucket(key: object, count: int, **extra: object) -> dict:
    return {"key": key, "doc_count": count, **extra}


RAW = {
    "hits": {
        "total": {"value": 41, "relation": "eq"},
        "hits": [
            {
                "_source": {
                    "productId": "prod_000001",
                    "title": "Apple iPhone 15 Pro 256GB",
                    "brand": "Apple",
                    "category": "Phones",
                    "price": 999.99,
                    "currency": "USD",
                    "thumbnail": "https://cdn.shopstream.example/p/thumb.jpg",
                    "rating": 4.5,
                    "availableQty": 5,
                }
            }
        ],
    },
    "aggregations": {
        "brand": {"buckets": [bucket("Apple", 30), bucket("Samsung", 11)]},
        "selected": {
            "doc_count": 30,
            "category": {"buckets": [bucket("Phones", 30)]},
            "price": {
                "buckets": [
                    bucket("0", 0, **{"from": 0.0, "to": 25.0}),
                    bucket("500", 12, **{"from": 500.0, "to": 1000.0}),
                    bucket("1000", 18, **{"from": 1000.0}),
                ]
            },
            "rating": {
                "buckets": [bucket("4", 20, **{"from": 4.0}), bucket("1", 0, **{"from": 1.0})]
            },
        },
    },
}


def test_response_carries_hits_pagination_and_facets() -> None:
    response = parse_search_response(RAW, params(page=2, size=20, brand=["apple"]))
    wire = response.model_dump(mode="json")
    assert wire["pagination"] == {"page": 2, "size": 20, "totalPages": 3, "totalResults": 41}
    assert wire["products"][0]["brand"] == "Apple"
    assert wire["facets"]["brand"] == [
        {"value": "Apple", "count": 30, "selected": True},
        {"value": "Samsung", "count": 11, "selected": False},
    ]
    assert wire["facets"]["price"] == [
        {"from": 500.0, "to": 1000.0, "count": 12},
        {"from": 1000.0, "to": None, "count": 18},
    ], "empty bands are left out; the top band is open"
    assert wire["facets"]["rating"] == [{"min": 4, "count": 20}]
    assert wire["didYouMean"] is None


def test_no_results_means_no_pages_and_a_spelling_request() -> None:
    raw = {**RAW, "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}
    assert parse_search_response(raw, params()).pagination.total_pages == 0
    assert wants_spelling(params(term="iphnoe"), raw)
    assert not wants_spelling(params(), raw), "listing everything is not a misspelling"
    assert not wants_spelling(params(term="iphone"), RAW)


def test_spelling_replaces_only_words_it_knows_better() -> None:
    assert spelling_body("fone kase")["suggest"]["spelling"]["text"] == "fone kase"
    raw = {
        "suggest": {
            "spelling": [
                {"text": "wireles", "options": [{"text": "wireless", "score": 0.8}]},
                {"text": "speaker", "options": []},
            ]
        }
    }
    assert parse_spelling(raw) == "wireless speaker"
    unchanged = {"suggest": {"spelling": [{"text": "speaker", "options": []}]}}
    assert parse_spelling(unchanged) is None


def test_suggest_forgives_a_typo_from_four_characters() -> None:
    short = suggest_body(SuggestParams(prefix="iph"))["suggest"]["completion"]
    assert "fuzzy" not in short["completion"]
    longer = suggest_body(SuggestParams(prefix="iphn"))["suggest"]["completion"]["completion"]
    assert longer["fuzzy"] == {"fuzziness": 1} and longer["skip_duplicates"] is True


def test_suggestions_keep_their_order_once_each() -> None:
    raw = {
        "suggest": {
            "completion": [
                {
                    "options": [
                        {"text": "iPhone 15 Pro"},
                        {"text": "iPhone 15"},
                        {"text": "iPhone 15"},
                    ]
                }
            ]
        }
    }
    answer = parse_suggest(raw, SuggestParams(prefix="iph"))
    assert answer.suggestions == ["iPhone 15 Pro", "iPhone 15"]


def test_spelling_keeps_words_the_synonyms_know() -> None:
    raw = {
        "suggest": {
            "spelling": [
                {"text": "vaccum", "options": [{"text": "vacuum", "score": 0.8}]},
                {"text": "cleaner", "options": [{"text": "cleanser", "score": 0.8}]},
            ]
        }
    }
    assert parse_spelling(raw) == "vacuum cleaner", "no product says cleaner; shoppers do"
