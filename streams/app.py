"""The Faust app, and which agent modules each worker role runs.

``faust -A streams.worker worker`` loads the agents of ``SHOP_STREAMS_ROLE``
(``ROLE_MODULES``); the role also names the consumer group. ``shopctl up`` runs an orders
worker and a catalog worker. Records are raw bytes on the wire; each agent turns them into
typed events (``streams.events``, through ``streams.dead_letters.typed``).
"""

import faust

from config import StreamsRole, get_settings, streams_kafka_user, streams_service
from config.logs import logging_config
from streams.kafka_transport import SCHEME, credentials
from streams.metrics import install_metrics
from streams.topics import RETENTION_MS, Cleanup, TopicSpec

settings = get_settings()

settings.streams_data_dir.mkdir(parents=True, exist_ok=True)  # Faust creates the last level
role, worker = settings.streams_role, settings.streams_worker

app = faust.App(
    settings.streams_group(role),  # every worker of a role shares its consumer group
    broker=f"{SCHEME}://{settings.kafka_bootstrap}",  # idempotent, acks=all producer
    # The role's Kafka principal, whose ACLs name its group and topics (ops.kafka_acls).
    broker_credentials=credentials(settings, streams_kafka_user(role)),
    store="memory://",
    key_serializer="raw",
    value_serializer="raw",
    topic_partitions=3,
    web_host="127.0.0.1",
    web_bind=settings.streams_web_bind,  # Faust listens on web_bind (0.0.0.0 unless told)
    web_port=settings.streams_port(role, worker),
    datadir=str(settings.streams_datadir(role, worker)),
    consumer_auto_offset_reset="earliest",
    autodiscover=False,
    # On shutdown, do not wait for records handed to an agent's buffer but not yet taken: a
    # stopped agent never takes them, and the worker waited forever. Their offsets are not
    # committed, so they are delivered again after the restart (every handler is idempotent).
    stream_wait_empty=False,
    # A worker killed outright holds its partitions until the broker stops hearing from it:
    # 10 s (Faust's default is 60 s) bounds how long a crash stalls them (bench/faults.py).
    broker_session_timeout=10.0,
    broker_heartbeat_interval=3.0,
    # A request to a broker that died unanswered is given up after 20 s (Faust's default is
    # 90 s): after all of Kafka was down, a worker sat that long in one offset commit.
    broker_request_timeout=20.0,
    # Topics Faust creates (the pipeline's, its changelogs) get a replica per broker.
    topic_replication_factor=settings.kafka_replication_factor,
    logging_config=logging_config(streams_service(role, worker), settings.log_level),
)
install_metrics(app)


def topic(spec: TopicSpec) -> faust.TopicT:
    """The Faust channel of a pipeline topic declared in ``streams.topics``.

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


ROLE_MODULES: dict[StreamsRole, tuple[str, ...]] = {
    StreamsRole.ORDERS: (
        "streams.agents.payment_outcomes",
        "streams.agents.reservation_expiry",
        "streams.agents.payment_reconciliation",
        "streams.agents.order_status_history",
        "streams.agents.notifications",
        "streams.agents.account_mail",
    ),
    StreamsRole.CATALOG: (
        "streams.agents.stock_sync",
        "streams.agents.search_sync",
        "streams.agents.product_cache",
        "streams.agents.media",
        "streams.catalog_feed",
    ),
}
AGENT_MODULES: tuple[str, ...] = tuple(m for modules in ROLE_MODULES.values() for m in modules)


def modules_of(role: StreamsRole) -> tuple[str, ...]:
    return AGENT_MODULES if role is StreamsRole.ALL else ROLE_MODULES[role]
