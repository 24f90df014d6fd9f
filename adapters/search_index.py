"""The Elasticsearch product index: mapping, documents, versioned names behind an alias.

Search reads the alias (``settings.search_alias``, e.g. ``products``); the documents live in
versioned indices ``products-v1``, ``products-v2``... An index template on ``{alias}-v*``
carries the settings and mapping, so a rebuild (replay) only creates the next version,
fills it and swaps the alias atomically: readers never see a half-built index.

Matching terms are made by ``domain.search_text`` (stems, compounds) and stored in
``*Terms`` fields that Elasticsearch only splits on whitespace; the title also keeps
Elasticsearch's standard analysis for typos (fuzzy) and typing (``index_prefixes``, an
edge n-gram subfield of every title word). The mapping uses server-core features only (no
``analysis-common`` or ``mapper-extras`` modules), so the minimal local build and a full
distribution index and answer the same. ``SCHEMA`` names this mapping and analysis: an
index built under another one is rebuilt by ``shopctl replay --target search``.
"""

from elasticsearch import Elasticsearch
from elasticsearch.exceptions import BadRequestError

from adapters.catalog_documents import Product
from domain.search_text import head_term, index_terms, spec_text

FIRST_VERSION = 1
SCHEMA = 2
"""Bumped with every change of the mapping below or of ``domain.search_text``'s rules."""
MAX_SUGGEST_WEIGHT = 1_000_000

REFRESH_INTERVAL = "200ms"
"""How soon a write is searchable (Elasticsearch's default is 1 s): most of the delay from an
inventory commit to a search hit; a refresh with nothing new costs nothing."""

INDEX_SETTINGS: dict = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "refresh_interval": REFRESH_INTERVAL,
    "analysis": {
        "normalizer": {"case_insensitive": {"type": "custom", "filter": ["lowercase"]}},
    },
}

_TERMS = {"type": "text", "analyzer": "whitespace"}
_LABEL = {
    "type": "keyword",
    "normalizer": "case_insensitive",  # filters match any case
    "fields": {"facet": {"type": "keyword"}},  # facets show the stored spelling
    "copy_to": "spelling",
}

INDEX_MAPPINGS: dict = {
    "dynamic": "strict",
    "_meta": {"schema": SCHEMA},
    "properties": {
        "productId": {"type": "keyword"},
        "title": {
            "type": "text",
            "analyzer": "standard",
            "index_prefixes": {"min_chars": 2, "max_chars": 15},
            "copy_to": "spelling",
        },
        "titleTerms": _TERMS,
        "headTerms": _TERMS,
        "specTerms": _TERMS,
        "description": {"type": "text", "index": False},
        "descriptionTerms": _TERMS,
        "category": _LABEL,
        "categoryTerms": _TERMS,
        "brand": {**_LABEL, "fields": {**_LABEL["fields"], "text": {"type": "text"}}},
        "brandTerms": _TERMS,
        "spelling": {"type": "text", "analyzer": "standard"},
        "suggest": {"type": "completion", "analyzer": "standard", "max_input_length": 60},
        "price": {"type": "double"},
        "currency": {"type": "keyword", "index": False},
        "rating": {"type": "float"},
        "reviewCount": {"type": "integer"},
        "availableQty": {"type": "integer"},
        "inStock": {"type": "boolean"},
        "thumbnail": {"type": "keyword", "index": False, "doc_values": False},
        "createdAt": {"type": "date"},
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
    available = product.quantity if available_qty is None else available_qty
    return {
        "productId": product.product_id,
        "title": product.title,
        "titleTerms": index_terms(product.title, join_pairs=True),
        "headTerms": head_term(product.title),
        "specTerms": index_terms(spec_text(product.specifications)),
        "description": product.description,
        "descriptionTerms": index_terms(product.description),
        "category": product.category,
        "categoryTerms": index_terms(product.category, join_pairs=True),
        "brand": product.brand,
        "brandTerms": index_terms(product.brand, join_pairs=True),
        "suggest": {
            "input": suggestions_of(product),
            "weight": min(product.review_count, MAX_SUGGEST_WEIGHT) + 1,
        },
        "price": product.price,
        "currency": product.currency,
        "rating": product.rating,
        "reviewCount": product.review_count,
        "availableQty": available,
        "inStock": available > 0,
        "thumbnail": None if product.thumbnail is None else str(product.thumbnail),
        "createdAt": product.created_at.isoformat(),
        "updatedAt": product.updated_at.isoformat(),
    }


def suggestions_of(product: Product) -> list[str]:
    """What the search box may complete to from this product: its line without the variant
    ("Apple iPhone 15 Pro" from "Apple iPhone 15 Pro, 256GB, Black"), the line without the
    brand ("iPhone 15 Pro"), the brand and the category."""
    line = product.title.split(",", 1)[0].strip()
    unbranded = line.removeprefix(product.brand).strip()
    items = (line, unbranded, product.brand, product.category)
    return list(dict.fromkeys(cleaned for item in items if (cleaned := _printable(item))))


def _printable(text: str) -> str:
    """Without control characters: the completion field refuses some (U+001F, U+001E)."""
    return "".join(char for char in text if char.isprintable()).strip()


def index_template(alias: str) -> dict:
    """Arguments of ``put_index_template``: every ``{alias}-v*`` index gets the mapping."""
    return {
        "name": alias,
        "index_patterns": [index_pattern(alias)],
        "template": {"settings": INDEX_SETTINGS, "mappings": INDEX_MAPPINGS},
    }


def ensure_search_index(es: Elasticsearch, alias: str) -> str:
    """Install the template; create ``{alias}-v1`` behind the alias unless the alias exists;
    give the serving index the current refresh interval (a dynamic setting: no rebuild).

    Idempotent and safe to race: returns the index the alias points to.
    """
    es.indices.put_index_template(**index_template(alias))
    if not es.indices.exists_alias(name=alias):
        _create_first_version(es, alias)
    index = next(iter(es.indices.get_alias(name=alias)))
    es.indices.put_settings(index=index, settings={"refresh_interval": REFRESH_INTERVAL})
    return index


def _create_first_version(es: Elasticsearch, alias: str) -> None:
    try:
        es.indices.create(index=versioned_index(alias, FIRST_VERSION), aliases={alias: {}})
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def serving_schema(es: Elasticsearch, alias: str) -> int | None:
    """The ``SCHEMA`` the index behind ``alias`` was built under (0: before schemas were
    recorded; None: no index yet)."""
    if not es.indices.exists_alias(name=alias):
        return None
    mappings = es.indices.get_mapping(index=alias)
    (index,) = mappings.values()
    return int(index["mappings"].get("_meta", {}).get("schema", 0))
