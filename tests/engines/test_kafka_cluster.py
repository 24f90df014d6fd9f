"""The cluster profile's brokers: one KRaft quorum of three, every topic replicated three
times and writable with ``acks=all`` while one broker is down (min ISR 2).

On the cluster profile (`make up PROFILE=cluster`) these run against the stack's brokers (a
broker that is down fails the test naming it); on the single profile they start three brokers
of their own, from the same engine code, on other ports and in a temporary directory.
"""

import uuid
from collections.abc import Callable, Iterator

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaError

from config import CLUSTER_BROKERS, DURABLE_PRODUCER, Profile, Settings
from ops.polling import wait_until
from ops.stack.engines.kafka import Kafka, broker_names, brokers

RECORDS = 50


PRIVATE_BOOTSTRAP = "127.0.0.1:29092"
PRIVATE_CONTROLLER_PORT = 29093


@pytest.fixture(scope="module")
def cluster(
    settings: Settings,
    require_engine: Callable[[str], None],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Settings]:
    if settings.profile is Profile.CLUSTER:
        for name in broker_names(settings):
            require_engine(name)
        yield settings
        return
    private = settings.model_copy(
        update={
            "stack_dir": tmp_path_factory.mktemp("kafka-cluster"),
            "profile": Profile.CLUSTER,
            "kafka_bootstrap": PRIVATE_BOOTSTRAP,
            "kafka_controller_port": PRIVATE_CONTROLLER_PORT,
        }
    )
    private = Settings.model_validate(private.model_dump())  # the bootstrap of all three
    own = brokers(private)
    try:
        for broker in own:
            broker.provision()
        for broker in own:
            broker.start()
        for broker in own:
            broker.wait_healthy()
        yield private
    finally:
        for broker in own:
            broker.stop()


@pytest.fixture
def admin(cluster: Settings) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(bootstrap_servers=cluster.kafka_bootstrap)
    yield client
    client.close()


@pytest.fixture
def topic(cluster: Settings) -> Iterator[str]:
    """A topic the broker creates on the first write, with its defaults: what Debezium's and
    Faust's topics get unless they say otherwise."""
    name = f"engine-cluster-{uuid.uuid4().hex[:8]}"
    produce(cluster, name, [b"first"])
    yield name
    # A fresh client: a test may have stopped the controller the fixture's client knew.
    wait_until(
        lambda: delete_topic(cluster, name),
        timeout=60,
        what=f"{name} deleted",
        ignoring=(KafkaError,),
        interval=0.5,
    )


def delete_topic(settings: Settings, name: str) -> bool:
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        admin.delete_topics([name])
    finally:
        admin.close()
    return True


def produce(settings: Settings, topic: str, values: list[bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, **DURABLE_PRODUCER)
    try:
        for value in values:
            producer.send(topic, value, partition=0).get(timeout=30)
    finally:
        producer.close()


def partition(admin: KafkaAdminClient, topic: str, index: int = 0) -> dict:
    (described,) = admin.describe_topics([topic])
    return next(p for p in described["partitions"] if p["partition_index"] == index)


def test_the_brokers_form_one_cluster(admin: KafkaAdminClient) -> None:
    described = admin.describe_cluster()
    assert sorted(b["broker_id"] for b in described["brokers"]) == list(
        range(1, CLUSTER_BROKERS + 1)
    )
    assert described["controller_id"] in range(1, CLUSTER_BROKERS + 1)


def test_a_new_topic_has_three_replicas_and_needs_two_in_sync(
    admin: KafkaAdminClient, topic: str
) -> None:
    (described,) = admin.describe_topics([topic])
    for p in described["partitions"]:
        assert sorted(p["replica_nodes"]) == [1, 2, 3], p
    configs = admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, topic)], config_filter="all"
    )["topic"][topic]
    assert configs["min.insync.replicas"]["value"] == "2"
    assert configs["unclean.leader.election.enable"]["value"] == "false"


def test_acks_all_writes_go_on_while_the_leader_is_down(
    cluster: Settings, admin: KafkaAdminClient, topic: str
) -> None:
    """The partition's leader stops; another in-sync replica leads, every write is acked by
    the two left and none is lost. The broker comes back and catches up afterwards."""
    leader: Kafka = next(
        b for b in brokers(cluster) if b.node == partition(admin, topic)["leader_id"]
    )
    leader.stop()
    try:
        wait_until(
            lambda: partition(admin, topic),
            timeout=60,
            what=f"a new leader without {leader.name}",
            accept=lambda p: (
                p["leader_id"] not in (-1, leader.node) and leader.node not in p["isr_nodes"]
            ),
            ignoring=(Exception,),
            interval=0.5,
        )
        values = [f"while {leader.name} is down: {n}".encode() for n in range(RECORDS)]
        produce(cluster, topic, values)
    finally:
        leader.start()
        leader.wait_healthy()
    wait_until(
        lambda: partition(admin, topic)["isr_nodes"],
        timeout=120,
        what=f"{leader.name} back in sync",
        accept=lambda isr: len(isr) == CLUSTER_BROKERS,
        ignoring=(Exception,),
        interval=0.5,
    )
    assert read_back(cluster, topic) == [b"first", *values]


def read_back(settings: Settings, topic: str) -> list[bytes]:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False)
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        end = consumer.end_offsets([tp])[tp]
        values: list[bytes] = []
        while consumer.position(tp) < end:
            values += [r.value for r in consumer.poll(timeout_ms=1000).get(tp, [])]
        return values
    finally:
        consumer.close()
