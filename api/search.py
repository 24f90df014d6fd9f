"""Product search as pure functions: query params -> Elasticsearch body -> API response.

Relevance: any of three clauses may match, and each one adds to the score:
- a fuzzy ``multi_match`` (fuzziness AUTO) over title, brand and description, so typos
  like "iphnoe" still find "iPhone";
- a bool-prefix match on the title (its last word is a prefix, served by the title's
  ``index_prefixes``), so "iPhon" or "apple iphone 15 p" match while typing;
- an exact title phrase, which lifts exact matches to the top.
Filters (category, price, rating, stock) never affect the score. Ties, and searches
without a term, are ordered by rating then productId so pages are stable.
"""

from collections.abc import Mapping

from api.models.catalog import Pagination, ProductSummary, SearchParams, SearchResponse

FUZZY_FIELDS = ["title^3", "brand.text^2", "description"]
SUMMARY_FIELDS = [field.alias for field in ProductSummary.model_fields.values()]
STABLE_ORDER = [{"rating": "desc"}, {"reviewCount": "desc"}, {"productId": "asc"}]


def build_search_body(params: SearchParams) -> dict:
    term = params.term.strip()
    query: dict = {"filter": _filters(params)}
    if term:
        query |= {"should": _relevance(term), "minimum_should_match": 1}
    return {
        "query": {"bool": query},
        "sort": (["_score", *STABLE_ORDER] if term else STABLE_ORDER),
        "from": (params.page - 1) * params.size,
        "size": params.size,
        "track_total_hits": True,
        "_source": SUMMARY_FIELDS,
    }


def parse_search_response(raw: Mapping, params: SearchParams) -> SearchResponse:
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
    )


def _relevance(term: str) -> list[dict]:
    return [
        {
            "multi_match": {
                "query": term,
                "fields": FUZZY_FIELDS,
                "fuzziness": "AUTO",
                "prefix_length": 1,
                "minimum_should_match": "2<75%",
            }
        },
        {"match_bool_prefix": {"title": {"query": term, "operator": "and", "boost": 2}}},
        {"match_phrase": {"title": {"query": term, "boost": 4}}},
    ]


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
        filters.append({"range": {"availableQty": {"gt": 0}}})
    return filters
