"""Search sync: catalog changes -> the search index, ordered by product version.

Elasticsearch's external versioning drops repeated and stale deliveries, so this agent is
the one writer of the index (stock reaches it through the product's ``quantity``).
"""

import asyncio
from functools import partial

from elasticsearch import Elasticsearch

from adapters.search_index import ensure_search_index
from services.catalog import sync_search
from streams.app import app, settings, topic
from streams.dead_letters import typed
from streams.retry import retry_forever
from streams.topics import PRODUCTS
from streams.topology import AgentSpec
from streams.wiring import services

AGENTS = (AgentSpec("search_sync", PRODUCTS, sinks=("elasticsearch:<search_alias>",)),)


@app.task
async def prepare_search_index() -> None:
    """The index behind the alias, created with the catalog's mapping if missing."""
    await asyncio.to_thread(_ensure_index, settings.elasticsearch_url, settings.search_alias)


def _ensure_index(url: str, alias: str) -> None:
    with Elasticsearch(url) as es:
        ensure_search_index(es, alias)


@app.agent(topic(PRODUCTS))
async def search_sync(records):
    async for key, value in records.items():
        if (change := typed(PRODUCTS, key, value)) is not None:
            search = (await services()).search
            await retry_forever(partial(sync_search, search, [change]), f"indexing {change}")
