"""The pipeline's topics, created before any worker subscribes to them.

A worker creates a missing topic it subscribes to (Faust's declared topics), but on a
cluster the other brokers learn of a new topic a moment later: a worker whose first partition
assignment fell in that moment left the topic out ("Ignoring missing topic") and never read
it, so a new catalog's changes never reached search. Creating the registry's topics first
(with what Faust would have created: partitions, cleanup policy, retention, one replica per
broker) and waiting until every broker lists them closes that moment. Existing topics are
left as they are.
"""

import contextlib
from collections.abc import Iterable

from kafka import KafkaAdminClient, KafkaConsumer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from config import KafkaUser, Settings
from ops.polling import wait_until
from streams.topics import ALL_TOPICS, DEAD_LETTERS, RETENTION_MS, Cleanup, TopicSpec

PIPELINE_TOPICS = (*ALL_TOPICS, DEAD_LETTERS)
VISIBLE_WITHIN_SECONDS = 30
BOOTSTRAP_TIMEOUT_MS = 5000  # Kafka is up when this step runs: a silence is an error, soon


def ensure_topics(settings: Settings, specs: Iterable[TopicSpec] = PIPELINE_TOPICS) -> list[str]:
    """Create the missing topics of ``specs``; the names created (none on a rerun)."""
    wanted = {spec.name(settings): spec for spec in specs}
    admin = KafkaAdminClient(
        **settings.kafka_client(KafkaUser.ADMIN), bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS
    )
    try:
        missing = [name for name in wanted if name not in set(admin.list_topics())]
        for name in missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # a worker was quicker: as good
                admin.create_topics([_new_topic(name, wanted[name], settings)])
    finally:
        admin.close()
    for broker in settings.kafka_brokers:
        wait_until(
            lambda broker=broker: set(wanted) <= _listed(settings, broker),
            timeout=VISIBLE_WITHIN_SECONDS,
            what=f"the pipeline's topics on {broker}",
            interval=0.2,
        )
    return missing


def _new_topic(name: str, spec: TopicSpec, settings: Settings) -> NewTopic:
    configs = {"cleanup.policy": spec.cleanup.value}
    if spec.cleanup is Cleanup.DELETE:
        configs["retention.ms"] = str(RETENTION_MS)
    return NewTopic(name, spec.partitions, settings.kafka_replication_factor, topic_configs=configs)


def _listed(settings: Settings, broker: str) -> set[str]:
    """The topics this one broker's metadata has."""
    consumer = KafkaConsumer(
        **settings.kafka_client(KafkaUser.ADMIN, bootstrap=broker),
        bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS,
    )
    try:
        return consumer.topics()
    finally:
        consumer.close()
