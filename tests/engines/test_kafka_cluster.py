"""The cluster profile's brokers: one KRaft quorum of three, every topic replicated three
times and writable with ``acks=all`` while one broker is down (min ISR 2); only Connect's
principal may write the CDC topics.

On the cluster profile (`make up PROFILE=cluster`) these run against the stack's brokers (a
broker that is down fails the test naming it); on the single profile they start three brokers
of their own, from the same engine code, on other ports and in a temporary directory, with
passwords of their own and the ACLs `shopctl up` creates.
"""

import secrets
import uuid
from collections.abc import Callable, Iterator

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaError
from pydantic import SecretStr

from config import CLUSTER_BROKERS, DURABLE_PRODUCER, KafkaUser, Profile, Settings
from ops.kafka_acls import ensure_acls
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
            **{
                f"kafka_{user}_password": SecretStr(secrets.token_urlsafe(16)) for user in KafkaUser
            },
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
        ensure_acls(private)  # as `shopctl up` does before it starts Connect
        yield private
    finally:
        for broker in own:
            broker.stop()


@pytest.fixture
def admin(cluster: Settings) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(**cluster.kafka_client(KafkaUser.ADMIN))
    yield client
    client.close()


@pytest.fixture
def topic(cluster: Settings) -> Iterator[str]:
    """A topic the broker creates on the first write, with its defaults: what Debezium's and
    Faust's topics get unless they say otherwise."""
    name = f"engine-cluster-{uuid.uuid4().hex[:8]}"
    produce(cluster.kafka_client(KafkaUser.ADMIN), name, [b"first"])
    yield name
    delete_when_possible(cluster, name)


def delete_when_possible(settings: Settings, name: str) -> None:
    """A fresh client each try: a test may have stopped the controller the last one knew."""
    wait_until(
        lambda: delete_topic(settings, name),
        timeout=60,
        what=f"{name} deleted",
        ignoring=(KafkaError,),
        interval=0.5,
    )


def delete_topic(settings: Settings, name: str) -> bool:
    admin = KafkaAdminClient(**settings.kafka_client(KafkaUser.ADMIN))
    try:
        admin.delete_topics([name])
    finally:
        admin.close()
    return True


def produce(
    client: dict[str, object], topic: str, values: list[bytes], max_block_ms: int = 10_000
) -> None:
    """Written by the login in ``client`` (``Settings.kafka_client``), each value acked."""
    producer = KafkaProducer(**client, **DURABLE_PRODUCER, max_block_ms=max_block_ms)
    try:
        for value in values:
            producer.send(topic, value, partition=0).get(timeout=30)
    finally:
        producer.close(timeout=5)


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
        produce(cluster.kafka_client(KafkaUser.ADMIN), topic, values)
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
    consumer = KafkaConsumer(**settings.kafka_client(KafkaUser.ADMIN), enable_auto_commit=False)
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


@pytest.fixture
def cdc_topic(cluster: Settings) -> Iterator[str]:
    """A topic among the CDC topics (``<prefix>.public.*``) that no table feeds; deleted after."""
    name = f"{cluster.topic_prefix}.public.engine_acl_{uuid.uuid4().hex[:8]}"
    yield name
    delete_when_possible(cluster, name)


def test_only_connect_may_write_the_cdc_topics(cluster: Settings, cdc_topic: str) -> None:
    """A stream worker's or the ops tools' principal, a client without a login and one with a
    wrong password are all refused; Connect's record is the only one written."""
    wait_until(  # creates it, once every broker applied the ACLs (they spread as metadata)
        lambda: produce(cluster.kafka_client(KafkaUser.CONNECT), cdc_topic, [b"captured"]) or True,
        timeout=30,
        what="Connect's first record written",
        ignoring=(KafkaError,),
        interval=0.5,
    )
    for user in (KafkaUser.ORDERS, KafkaUser.CATALOG, KafkaUser.OPS):
        # ops may write nowhere: its producer's id is refused before the topic is
        with pytest.raises(KafkaError, match="AuthorizationFailed"):
            forged = [b"forged by " + user.encode()]
            produce(cluster.kafka_client(user), cdc_topic, forged, max_block_ms=2_000)
    quick = {"bootstrap_timeout_ms": 2_000, "request_timeout_ms": 2_000}
    anonymous = {"bootstrap_servers": cluster.kafka_bootstrap, **quick}
    guessed = {**cluster.kafka_client(KafkaUser.CONNECT), "sasl_plain_password": "guessed", **quick}
    for stranger in (anonymous, guessed):  # never let in: each gives up after 2 s
        with pytest.raises(KafkaError):
            produce(stranger, cdc_topic, [b"forged by a stranger"], max_block_ms=2_000)
    assert read_back(cluster, cdc_topic) == [b"captured"]
