"""Product search as pure functions: query params -> Elasticsearch bodies -> API responses.

Relevance: a product matches when any of these does, and each adds to its score:
- the shopper's words as ``domain.search_text`` reads them (stems, synonyms, compounds),
  every concept of a reading found in the title, brand, category or description terms;
- a fuzzy match on the title and brand, so typos like "iphnoe" still find "iPhone";
- a bool-prefix match on the title (the last word is a prefix), for "iPhon" while typing;
- the exact title phrase, which lifts exact matches to the top.
Filters never affect the score. Out-of-stock products come after in-stock ones in every
order (``inStock=true`` hides them); ranked by relevance, only after the in-stock ones that
match as well (see ``_relevance``). Ties end on productId so pages are stable.
"""

from collections.abc import Mapping, Sequence

from api.models.catalog import (
    Facets,
    FacetValue,
    Pagination,
    PriceBand,
    ProductSummary,
    RatingFloor,
    SearchParams,
    SearchResponse,
    SearchSort,
    SuggestParams,
    SuggestResponse,
)
from domain.search_text import Concept, Phrase, default_synonyms, plan_query

FIELD_WEIGHTS = {
    "categoryTerms": 50,
    "headTerms": 40,
    "titleTerms": 30,
    "brandTerms": 30,
    "specTerms": 10,
    "descriptionTerms": 5,
}
"""What a concept found in each field is worth: what the product is (category, the last word
of its line) over what its title or brand mentions, over specifications and description.
Constant, not BM25: a rare word (the brand "Mobil 1") must not outrank a common one (the
category "Phones"); among equal matches, rating decides."""
FUZZY_FIELDS = ["title^3", "brand.text^2"]
SYNONYM_WEIGHT = 0.8
"""A synonym counts a little less than the shopper's own word."""
SUMMARY_FIELDS = [field.alias for field in ProductSummary.model_fields.values()]
TIE_BREAK = [{"productId": "asc"}]
BY_RATING = [{"rating": "desc"}, {"reviewCount": "desc"}]
SORTS: dict[SearchSort, list] = {
    SearchSort.RELEVANCE: ["_score", *BY_RATING],
    SearchSort.PRICE_ASC: [{"price": "asc"}],
    SearchSort.PRICE_DESC: [{"price": "desc"}],
    SearchSort.RATING: BY_RATING,
    SearchSort.NEWEST: [{"createdAt": {"order": "desc", "unmapped_type": "date"}}],
}
MATCH_TIER = 100_000
IN_STOCK_BONUS = {"constant_score": {"filter": {"term": {"inStock": True}}, "boost": 10_000}}
"""Tier weights far above any text score, yet small enough for Elasticsearch's float scores
to keep the text score's decimals."""
IN_STOCK_FIRST = {"inStock": {"order": "desc", "unmapped_type": "boolean"}}
"""``unmapped_type``: an index built under an older schema (until its rebuild is swapped in)
sorts as if every product were in stock instead of failing the search."""
PRICE_BANDS = (0, 25, 50, 100, 200, 500, 1000)
RATING_FLOORS = (4, 3, 2, 1)
FACET_SIZE = 20
SPELLING_SUGGESTION = "spelling"
COMPLETION = "completion"


def build_search_body(params: SearchParams) -> dict:
    """One request: the page of hits and the facets (brand selection as a post filter, so
    the brand counts ignore it and the others respect it)."""
    plan = plan_query(params.term)
    matched = bool(params.term.strip()) and not plan.empty
    query: dict = {"filter": _filters(params)}
    if matched:
        query |= {"must": [_relevance(params.term, plan.readings)], "should": [IN_STOCK_BONUS]}
    if params.sort is SearchSort.RELEVANCE and matched:
        sort = SORTS[params.sort]  # the tiers keep out-of-stock products last
    else:
        sort = [IN_STOCK_FIRST, *(key for key in SORTS[params.sort] if key != "_score")]
    body: dict = {
        "query": {"bool": query},
        "sort": [*sort, *TIE_BREAK],
        "from": (params.page - 1) * params.size,
        "size": params.size,
        "track_total_hits": True,
        "_source": SUMMARY_FIELDS,
        "aggs": _facets(_brand_filter(params.brand)),
    }
    if params.brand:
        body["post_filter"] = _brand_filter(params.brand)
    return body


def parse_search_response(
    raw: Mapping, params: SearchParams, did_you_mean: str | None = None
) -> SearchResponse:
    hits = raw["hits"]
    total = hits["total"]["value"]
    return SearchResponse(
        products=[ProductSummary.model_validate(hit["_source"]) for hit in hits["hits"]],
        pagination=Pagination(
            page=params.page,
            size=params.size,
            total_pages=params.total_pages(total),
            total_results=total,
        ),
        facets=_parse_facets(raw["aggregations"], params),
        did_you_mean=did_you_mean,
    )


def wants_spelling(params: SearchParams, raw: Mapping) -> bool:
    """A search that found nothing for a typed term gets a "did you mean"."""
    return bool(params.term.strip()) and raw["hits"]["total"]["value"] == 0


def spelling_body(term: str) -> dict:
    """Per word, the closest indexed words of titles, brands and categories."""
    return {
        "size": 0,
        "suggest": {
            SPELLING_SUGGESTION: {
                "text": term,
                "term": {
                    "field": "spelling",
                    "suggest_mode": "missing",
                    "prefix_length": 0,
                    "min_word_length": 3,
                    "sort": "score",
                },
            }
        },
    }


def parse_spelling(raw: Mapping) -> str | None:
    """The term with each misspelt word replaced by its best correction (None: no change).

    A word the synonyms know is not misspelt, even if no product uses it ("cleaner")."""
    synonyms = default_synonyms()
    words = []
    changed = False
    for entry in raw["suggest"][SPELLING_SUGGESTION]:
        options = [] if synonyms.knows(entry["text"]) else entry["options"]
        words.append(options[0]["text"] if options else entry["text"])
        changed = changed or bool(options)
    return " ".join(words) if changed else None


def suggest_body(params: SuggestParams) -> dict:
    """Completions of what was typed; from 4 characters on, one typo is forgiven."""
    completion: dict = {"field": "suggest", "size": params.size, "skip_duplicates": True}
    if len(params.prefix.strip()) >= 4:
        completion["fuzzy"] = {"fuzziness": 1}
    return {
        "_source": False,
        "suggest": {COMPLETION: {"prefix": params.prefix, "completion": completion}},
    }


def parse_suggest(raw: Mapping, params: SuggestParams) -> SuggestResponse:
    (entry,) = raw["suggest"][COMPLETION]
    texts = dict.fromkeys(option["text"] for option in entry["options"])
    return SuggestResponse(prefix=params.prefix, suggestions=list(texts))


def _relevance(term: str, readings: Sequence[Sequence[Concept]]) -> dict:
    """Scores in tiers: a product matching the words as read (or the prefix being typed)
    gets ``MATCH_TIER`` on top, so a close misspelling never outranks the product asked
    for; the in-stock bonus then orders each tier (see ``IN_STOCK_BONUS``)."""
    as_read = [*(_reading(concepts) for concepts in readings), _prefix(term)]
    return {
        "bool": {
            "should": [
                {"dis_max": {"queries": [_in_tier(query) for query in as_read]}},
                {
                    "multi_match": {
                        "query": term,
                        "fields": FUZZY_FIELDS,
                        "fuzziness": "AUTO",
                        "prefix_length": 1,
                        "minimum_should_match": "2<75%",
                    }
                },
                {"match_phrase": {"title": {"query": term, "boost": 4}}},
            ],
            "minimum_should_match": 1,
        }
    }


def _in_tier(query: dict) -> dict:
    return {"bool": {"must": [query, _constant({"match_all": {}}, MATCH_TIER)]}}


def _constant(match: dict, weight: float) -> dict:
    return {"constant_score": {"filter": match, "boost": weight}}


def _prefix(term: str) -> dict:
    return {"match_bool_prefix": {"title": {"query": term, "operator": "and", "boost": 2}}}


def _reading(concepts: Sequence[Concept]) -> dict:
    """Every concept must match (from four on, one in four may be missing)."""
    return {
        "bool": {
            "should": [_concept(concept) for concept in concepts],
            "minimum_should_match": "3<75%",
        }
    }


def _concept(concept: Concept) -> dict:
    """The best field any alternative is found in; synonyms weigh a little less. Single
    synonym words go in one ``terms`` query per field, phrases one by one."""
    synonyms = [phrase for phrase in concept.alternatives if phrase != concept.literal]
    words = [phrase[0] for phrase in synonyms if len(phrase) == 1]
    phrases = [phrase for phrase in synonyms if len(phrase) > 1]
    queries = []
    for field, weight in FIELD_WEIGHTS.items():
        queries.append(_constant(_match(field, concept.literal), weight))
        if words:
            queries.append(_constant({"terms": {field: words}}, weight * SYNONYM_WEIGHT))
        queries += [_constant(_match(field, phrase), weight * SYNONYM_WEIGHT) for phrase in phrases]
    return {"dis_max": {"queries": queries}}


def _match(field: str, phrase: Phrase) -> dict:
    if len(phrase) > 1:
        return {"match_phrase": {field: " ".join(phrase)}}
    return {"term": {field: phrase[0]}}


def _filters(params: SearchParams) -> list[dict]:
    filters: list[dict] = []
    if params.category:
        filters.append({"term": {"category": params.category}})
    price = {
        bound: value
        for bound, value in (("gte", params.min_price), ("lte", params.max_price))
        if value is not None
    }
    if price:
        filters.append({"range": {"price": price}})
    if params.min_rating is not None:
        filters.append({"range": {"rating": {"gte": params.min_rating}}})
    if params.in_stock:
        filters.append({"term": {"inStock": True}})
    return filters


def _brand_filter(brands: Sequence[str]) -> dict:
    return {"terms": {"brand": list(brands)}} if brands else {"match_all": {}}


def _facets(brand_filter: dict) -> dict:
    price_ranges = [
        {"key": str(low), "from": low, **({"to": high} if high else {})}
        for low, high in zip(PRICE_BANDS, (*PRICE_BANDS[1:], None), strict=True)
    ]
    rating_ranges = [{"key": str(floor), "from": floor} for floor in RATING_FLOORS]
    return {
        "brand": {"terms": {"field": "brand.facet", "size": FACET_SIZE}},
        "selected": {
            "filter": brand_filter,
            "aggs": {
                "category": {"terms": {"field": "category.facet", "size": FACET_SIZE}},
                "price": {"range": {"field": "price", "ranges": price_ranges}},
                "rating": {"range": {"field": "rating", "ranges": rating_ranges}},
            },
        },
    }


def _parse_facets(aggregations: Mapping, params: SearchParams) -> Facets:
    category = {params.category.casefold()} if params.category else set()
    brands = {brand.casefold() for brand in params.brand}
    selected = aggregations["selected"]
    return Facets(
        category=[_value(bucket, category) for bucket in selected["category"]["buckets"]],
        brand=[_value(bucket, brands) for bucket in aggregations["brand"]["buckets"]],
        price=[
            PriceBand.model_validate(
                {"from": bucket["from"], "to": bucket.get("to"), "count": bucket["doc_count"]}
            )
            for bucket in selected["price"]["buckets"]
            if bucket["doc_count"]
        ],
        rating=[
            RatingFloor(min=int(bucket["from"]), count=bucket["doc_count"])
            for bucket in selected["rating"]["buckets"]
            if bucket["doc_count"]
        ],
    )


def _value(bucket: Mapping, chosen: set[str]) -> FacetValue:
    value = bucket["key"]
    return FacetValue(value=value, count=bucket["doc_count"], selected=value.casefold() in chosen)
