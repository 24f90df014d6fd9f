"""Search sync: catalog changes -> the search index, ordered by product version.

Elasticsearch's external versioning drops repeated and stale deliveries, so this agent is
the one writer of the index (stock reaches it through the product's ``quantity``).
"""

import asyncio
from functools import partial

from elasticsearch import Elasticsearch

from adapters.search_writer import SearchWriter
from domain.search_sync import SearchAction, SearchSink, search_action
from schemas.events import ProductEvent
from schemas.search_index import ensure_search_index
from schemas.settings import get_settings
from schemas.topics import PRODUCTS
from streams.app import app, topic
from streams.dead_letters import decoded
from streams.resources import resources
from streams.retry import until_done
from streams.topology import AgentSpec

_ready: set[str] = set()


async def search_sink() -> SearchSink:
    clients = await resources()
    settings = get_settings()
    if settings.search_alias not in _ready:
        await asyncio.to_thread(_ensure_index, settings.elasticsearch_url, settings.search_alias)
        _ready.add(settings.search_alias)
    return SearchWriter(clients.es, settings.search_alias)


def _ensure_index(url: str, alias: str) -> None:
    """The index behind the alias, created with the catalog's mapping if missing."""
    with Elasticsearch(url) as es:
        ensure_search_index(es, alias)


def _action(key: bytes | None, value: bytes) -> SearchAction | None:
    return search_action(key, ProductEvent.model_validate_json(value))


AGENTS = (AgentSpec("search_sync", PRODUCTS, sinks=("elasticsearch:<search_alias>",)),)


@app.agent(topic(PRODUCTS))
async def search_sync(records):
    async for key, value in records.items():
        if value is None:
            continue  # the tombstone after a delete event
        action = decoded(PRODUCTS, partial(_action, key), value, key)
        if action is not None:
            sink = await search_sink()
            await until_done(partial(sink.apply, action), f"search action {action!r}")
