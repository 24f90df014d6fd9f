"""The one Faust app: every agent module registers itself on import (see ``AGENT_MODULES``).

Run with ``faust -A streams.app worker`` (``shopctl up`` does). Records are raw
bytes on the wire; each agent parses them into ``schemas.events`` models itself.
"""

import logging

import faust

from schemas.settings import get_settings
from schemas.topics import RETENTION_MS, Cleanup, TopicSpec
from streams.metrics import install_metrics

settings = get_settings()
logging.getLogger("elastic_transport").setLevel(logging.WARNING)  # else a line per request

app = faust.App(
    settings.streams_app_id,
    broker=f"kafka://{settings.kafka_bootstrap}",
    store="memory://",
    key_serializer="raw",
    value_serializer="raw",
    topic_partitions=3,
    web_host="127.0.0.1",
    web_port=settings.streams_web_port,
    consumer_auto_offset_reset="earliest",
    autodiscover=False,
)
install_metrics(app)


def topic(spec: TopicSpec) -> faust.TopicT:
    """The Faust channel of a pipeline topic declared in ``schemas.topics``.

    Declared (``internal``): before subscribing, Faust creates a missing topic with the
    registry's partitions and cleanup policy (an existing one is left alone), so an agent
    never waits for its producer (e.g. the catalog change feed) to create the topic first.
    """
    compact = spec.cleanup is Cleanup.COMPACT
    return app.topic(
        spec.name(settings),
        key_type=bytes,
        value_type=bytes,
        partitions=spec.partitions,
        internal=True,
        compacting=compact,
        deleting=not compact,
        retention=None if compact else RETENTION_MS / 1000,
    )


AGENT_MODULES: tuple[str, ...] = (
    "streams.agents.stock_sync",
    "streams.agents.search_sync",
    "streams.catalog_feed",
    "streams.agents.payment_outcomes",
    "streams.agents.reservation_expiry",
    "streams.agents.order_status_history",
    "streams.agents.notifications",
)


def load_agents() -> None:
    import importlib

    for module in AGENT_MODULES:
        importlib.import_module(module)


load_agents()
