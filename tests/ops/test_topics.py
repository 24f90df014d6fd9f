"""Pipeline topics created before the workers subscribe (ops.topics), on the running Kafka:
with the registry's partitions and cleanup policy and a replica per broker, visible on every
broker, and left alone on a rerun."""

import uuid
from collections.abc import Callable, Iterator

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from config import KafkaUser, Settings
from ops.topics import ensure_topics
from streams.topics import PRODUCTS

pytestmark = pytest.mark.engines


@pytest.fixture
def catalog(settings: Settings, require_engine: Callable[[str], None]) -> Iterator[Settings]:
    """Settings of a catalog no worker follows: its change topic does not exist yet."""
    require_engine("kafka")
    own = settings.model_copy(update={"mongo_db": f"topics_{uuid.uuid4().hex[:8]}"})
    yield own
    admin = KafkaAdminClient(**own.kafka_client(KafkaUser.ADMIN))
    try:
        admin.delete_topics([PRODUCTS.name(own)])
    finally:
        admin.close()


def test_a_missing_topic_is_created_as_the_registry_says_and_only_once(catalog: Settings) -> None:
    name = PRODUCTS.name(catalog)
    assert ensure_topics(catalog, [PRODUCTS]) == [name]
    assert ensure_topics(catalog, [PRODUCTS]) == []
    admin = KafkaAdminClient(**catalog.kafka_client(KafkaUser.ADMIN))
    try:
        [described] = admin.describe_topics([name])
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    finally:
        admin.close()
    assert len(described["partitions"]) == PRODUCTS.partitions
    replicas = {len(p["replica_nodes"]) for p in described["partitions"]}
    assert replicas == {catalog.kafka_replication_factor}
    assert configs["topic"][name]["cleanup.policy"]["value"] == "compact"
