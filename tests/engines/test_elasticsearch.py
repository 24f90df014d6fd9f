"""Elasticsearch is real and reachable through the official client (index, then fuzzy search)."""

import uuid

from elasticsearch import Elasticsearch


def test_index_and_fuzzy_search(settings, require_engine):
    require_engine("elasticsearch")
    es = Elasticsearch(settings.elasticsearch_url)
    index = f"engine-test-{uuid.uuid4().hex[:8]}"
    try:
        es.index(index=index, id="prod_1", document={"title": "Apple iPhone 15 Pro"})
        es.indices.refresh(index=index)
        hits = es.search(
            index=index, query={"match": {"title": {"query": "iPhon", "fuzziness": "AUTO"}}}
        )["hits"]["hits"]
        assert [h["_id"] for h in hits] == ["prod_1"]
    finally:
        es.indices.delete(index=index, ignore_unavailable=True)
        es.close()
