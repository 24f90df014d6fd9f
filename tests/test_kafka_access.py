"""Who may do what on Kafka, computed without a broker: every listener wants a login, each
principal's ACLs follow the stream topology, only Connect writes the CDC topics, and every
client logs in as the principal its code is meant to be."""

import stat
from pathlib import Path

import pytest
from kafka.admin import ACLOperation, ResourceType
from pydantic import SecretStr

from config import KafkaUser, Settings, StreamsRole, streams_kafka_user
from ops.kafka_acls import Grant, consumed, grants, produced
from ops.secrets import GENERATED, kafka_password_variable
from ops.stack.engines.connect import Connect
from ops.stack.engines.jvm import write_properties
from ops.stack.engines.kafka import broker_properties
from ops.stack.engines.sasl import AUTHORIZER, PROTOCOL
from streams.kafka_transport import credentials
from streams.topics import DEAD_LETTERS, ORDERS, PAYMENTS, POSTGRES_TABLES, PRODUCTS

PASSWORDS = {f"kafka_{user}_password": SecretStr(f"pw-of-{user}") for user in KafkaUser}
SETTINGS = Settings(_env_file=None, **PASSWORDS)
FEED_OFF = Settings(_env_file=None, catalog_feed_enabled=False, **PASSWORDS)
WRITING = {ACLOperation.WRITE, ACLOperation.ALL}


def topic_grants(settings: Settings, user: KafkaUser) -> set[Grant]:
    return {g for g in grants(settings) if g.user is user and g.resource is ResourceType.TOPIC}


def covers(grant: Grant, topic: str) -> bool:
    return topic.startswith(grant.name) if grant.prefixed else grant.name in (topic, "*")


def writers(settings: Settings, topic: str) -> set[KafkaUser]:
    return {
        g.user
        for g in grants(settings)
        if g.resource is ResourceType.TOPIC and g.operation in WRITING and covers(g, topic)
    }


def test_every_listener_wants_a_login_and_the_authorizer_decides() -> None:
    config = broker_properties(SETTINGS, 1, Path("/data"))
    listeners = [entry.split("://")[0] for entry in str(config["listeners"]).split(",")]
    protocols = dict(
        pair.split(":") for pair in str(config["listener.security.protocol.map"]).split(",")
    )
    assert protocols == dict.fromkeys(listeners, PROTOCOL)
    assert config["authorizer.class.name"] == AUTHORIZER
    assert config["super.users"] == "User:broker;User:admin"
    clients = str(config["listener.name.broker.plain.sasl.jaas.config"])
    for user in KafkaUser:
        assert f'user_{user}="pw-of-{user}"' in clients
    controllers = str(config["listener.name.controller.plain.sasl.jaas.config"])
    assert controllers.count("user_") == 1 and 'user_broker="pw-of-broker"' in controllers


@pytest.mark.parametrize("settings", [SETTINGS, FEED_OFF], ids=["feed", "connector"])
def test_only_connect_writes_the_cdc_topics(settings: Settings) -> None:
    """The topics payments and orders move on: a worker or a tool that could write them could
    forge a payment's record."""
    for spec in POSTGRES_TABLES:
        assert writers(settings, spec.name(settings)) == {KafkaUser.CONNECT}, spec
    assert writers(settings, f"{settings.topic_prefix}.public.a_table_added_later") == {
        KafkaUser.CONNECT
    }


def test_the_catalog_topic_has_one_writer_its_producer() -> None:
    """The catalog feed (the catalog worker) where it runs, else Debezium's MongoDB connector."""
    assert writers(SETTINGS, PRODUCTS.name(SETTINGS)) == {KafkaUser.CATALOG}
    assert writers(FEED_OFF, PRODUCTS.name(FEED_OFF)) == {KafkaUser.CONNECT}


@pytest.mark.parametrize("role", [StreamsRole.ORDERS, StreamsRole.CATALOG])
def test_a_worker_reads_what_its_agents_consume_in_its_group(role: StreamsRole) -> None:
    user, group = streams_kafka_user(role), SETTINGS.streams_group(role)
    mine = topic_grants(SETTINGS, user)
    read = {g.name for g in mine if g.operation is ACLOperation.READ and not g.prefixed}
    assert read == {spec.name(SETTINGS) for spec in consumed(role)}
    written = {g.name for g in mine if g.operation is ACLOperation.WRITE}
    assert written == {spec.name(SETTINGS) for spec in produced(role, SETTINGS)}
    assert DEAD_LETTERS.name(SETTINGS) in written
    assert Grant(user, ResourceType.GROUP, group, ACLOperation.READ) in grants(SETTINGS)
    faust_own = Grant(user, ResourceType.TOPIC, f"{group}-", ACLOperation.ALL, prefixed=True)
    assert faust_own in mine


def test_the_roles_read_their_own_topics_only() -> None:
    orders = {g.name for g in topic_grants(SETTINGS, KafkaUser.ORDERS)}
    assert {PAYMENTS.name(SETTINGS), ORDERS.name(SETTINGS)} <= orders
    assert PRODUCTS.name(SETTINGS) not in orders


def test_the_ops_tools_read_everything_and_write_nothing() -> None:
    ops = {g for g in grants(SETTINGS) if g.user is KafkaUser.OPS}
    reading = {ACLOperation.READ, ACLOperation.DESCRIBE, ACLOperation.DESCRIBE_CONFIGS}
    assert {g.operation for g in ops if g.resource is not ResourceType.GROUP} <= reading
    assert Grant(KafkaUser.OPS, ResourceType.TOPIC, "*", ACLOperation.READ) in ops


def test_super_users_need_no_acl() -> None:
    assert not {g.user for g in grants(SETTINGS)} & {KafkaUser.BROKER, KafkaUser.ADMIN}


def test_every_principal_has_a_generated_password_setting() -> None:
    for user in KafkaUser:
        assert kafka_password_variable(user) in GENERATED
        assert SETTINGS.kafka_password(user) == f"pw-of-{user}"


@pytest.mark.parametrize("user", list(KafkaUser))
def test_a_python_client_logs_in_as_its_principal(user: KafkaUser) -> None:
    client = SETTINGS.kafka_client(user)
    assert client["security_protocol"] == PROTOCOL and client["sasl_mechanism"] == "PLAIN"
    assert (client["sasl_plain_username"], client["sasl_plain_password"]) == (user, f"pw-of-{user}")
    assert SETTINGS.kafka_client(user, bootstrap="b:1")["bootstrap_servers"] == "b:1"


def test_a_stream_worker_logs_in_as_its_roles_principal() -> None:
    assert streams_kafka_user(StreamsRole.ORDERS) is KafkaUser.ORDERS
    assert streams_kafka_user(StreamsRole.CATALOG) is KafkaUser.CATALOG
    assert streams_kafka_user(StreamsRole.ALL) is KafkaUser.ADMIN  # tests, groups of their own
    faust = credentials(SETTINGS, KafkaUser.CATALOG)
    assert (faust.username, faust.password, faust.mechanism.value) == (
        "catalog",
        "pw-of-catalog",
        "PLAIN",
    )


def test_connect_logs_in_as_connect_for_its_worker_producers_and_consumers() -> None:
    worker = Connect(SETTINGS).worker_properties()
    logins = {key: value for key, value in worker.items() if key.endswith("sasl.jaas.config")}
    assert set(logins) == {
        "sasl.jaas.config",
        "producer.sasl.jaas.config",
        "consumer.sasl.jaas.config",
    }
    assert {str(v) for v in logins.values()} == {
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="connect"'
        ' password="pw-of-connect";'
    }
    assert worker["connector.client.config.override.policy"] == "None"


def test_engine_configs_holding_passwords_are_the_owners_alone(tmp_path: Path) -> None:
    path = tmp_path / "server.properties"
    path.write_text("old")
    path.chmod(0o644)
    write_properties(path, {"a": 1})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "a=1\n"
