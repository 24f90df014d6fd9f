"""Search sync: catalog changes -> the search index, ordered by product version.

Elasticsearch's external versioning drops repeated and stale deliveries, so this agent is
the one writer of the index (stock reaches it through the product's ``quantity``).
"""

from adapters.search_writer import SearchWriter, ensure_search_alias
from domain.search_sync import SearchSink, search_action
from schemas.events import ProductEvent
from schemas.settings import get_settings
from schemas.topics import PRODUCTS
from streams.app import app, topic
from streams.resources import resources
from streams.retry import until_done

_ready: set[str] = set()


async def search_sink() -> SearchSink:
    clients = await resources()
    alias = get_settings().search_alias
    if alias not in _ready:
        await ensure_search_alias(clients.es, alias)
        _ready.add(alias)
    return SearchWriter(clients.es, alias)


@app.agent(topic(PRODUCTS))
async def search_sync(records):
    async for key, value in records.items():
        if value is None:
            continue  # the tombstone after a delete event
        action = search_action(key, ProductEvent.model_validate_json(value))
        if action is not None:
            sink = await search_sink()
            await until_done(sink.apply, action)
