"""The Elasticsearch product index: analyzers, mapping, versioned names behind an alias.

Search reads the alias (``settings.search_alias``, e.g. ``products``); the documents live in
versioned indices ``products-v1``, ``products-v2``... An index template on ``{alias}-v*``
carries the settings and mapping, so a rebuild (replay) only creates the next version,
fills it and swaps the alias atomically: readers never see a half-built index.

The title is matched two ways: fuzzily on its words (the query adds fuzziness, so "iphnoe"
finds "iPhone") and by prefix while typing ("iPhon"). Prefixes are served by
``index_prefixes``, ES's built-in edge n-gram subfield (2-15 characters of every title
word), instead of a custom ``edge_ngram`` analyzer: the mapping uses server-core features
only (no ``analysis-common``/``mapper-extras`` modules, hence also ``double`` rather than
``scaled_float`` prices), so it runs unchanged on the minimal local Elasticsearch build and
on a full distribution.
"""

from elasticsearch import Elasticsearch
from elasticsearch.exceptions import BadRequestError

from adapters.catalog_documents import Product

FIRST_VERSION = 1

INDEX_SETTINGS: dict = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "analysis": {
        "normalizer": {"case_insensitive": {"type": "custom", "filter": ["lowercase"]}},
    },
}

INDEX_MAPPINGS: dict = {
    "dynamic": "strict",
    "properties": {
        "productId": {"type": "keyword"},
        "title": {
            "type": "text",
            "analyzer": "standard",
            "index_prefixes": {"min_chars": 2, "max_chars": 15},
        },
        "description": {"type": "text", "analyzer": "standard"},
        "category": {"type": "keyword", "normalizer": "case_insensitive"},
        "brand": {
            "type": "keyword",
            "normalizer": "case_insensitive",
            "fields": {"text": {"type": "text", "analyzer": "standard"}},
        },
        "price": {"type": "double"},
        "currency": {"type": "keyword", "index": False},
        "rating": {"type": "float"},
        "reviewCount": {"type": "integer"},
        "availableQty": {"type": "integer"},
        "thumbnail": {"type": "keyword", "index": False, "doc_values": False},
        "updatedAt": {"type": "date"},
    },
}


def index_pattern(alias: str) -> str:
    return f"{alias}-v*"


def versioned_index(alias: str, version: int) -> str:
    return f"{alias}-v{version}"


def product_to_search_doc(product: Product, available_qty: int | None = None) -> dict:
    """The search document of a product (its ``_id`` is the productId).

    ``available_qty`` is the live Postgres figure when the caller has it (stock sync, replay);
    otherwise the product's own derived ``quantity`` is used.
    """
    return {
        "productId": product.product_id,
        "title": product.title,
        "description": product.description,
        "category": product.category,
        "brand": product.brand,
        "price": product.price,
        "currency": product.currency,
        "rating": product.rating,
        "reviewCount": product.review_count,
        "availableQty": product.quantity if available_qty is None else available_qty,
        "thumbnail": None if product.thumbnail is None else str(product.thumbnail),
        "updatedAt": product.updated_at.isoformat(),
    }


def index_template(alias: str) -> dict:
    """Arguments of ``put_index_template``: every ``{alias}-v*`` index gets the mapping."""
    return {
        "name": alias,
        "index_patterns": [index_pattern(alias)],
        "template": {"settings": INDEX_SETTINGS, "mappings": INDEX_MAPPINGS},
    }


def ensure_search_index(es: Elasticsearch, alias: str) -> str:
    """Install the template; create ``{alias}-v1`` behind the alias unless the alias exists.

    Idempotent and safe to race: returns the index the alias points to.
    """
    es.indices.put_index_template(**index_template(alias))
    if not es.indices.exists_alias(name=alias):
        _create_first_version(es, alias)
    return next(iter(es.indices.get_alias(name=alias)))


def _create_first_version(es: Elasticsearch, alias: str) -> None:
    try:
        es.indices.create(index=versioned_index(alias, FIRST_VERSION), aliases={alias: {}})
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise
