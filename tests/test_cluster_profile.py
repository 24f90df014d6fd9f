"""The cluster profile's layout, computed without running anything: broker configs, bootstrap
lists, ports, replication per profile, the processes per profile, and the refusal to start one
profile on the Kafka data of the other. Pure: temporary stack directories at most."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from config import (
    CLUSTER_BROKERS,
    DURABLE_PRODUCER,
    Profile,
    Settings,
    StreamsRole,
    get_settings,
    profile_file,
)
from ops.cli import app as shopctl
from ops.connectors import POSTGRES, render
from ops.stack import stack
from ops.stack.engines.connect import Connect
from ops.stack.engines.kafka import Kafka, broker_properties, brokers, refuse_other_profile
from ops.stack.process import EngineError
from ops.stack.profile import switch
from ops.stack.services import stream_workers
from streams import kafka_transport
from streams.app import app as streams_app

SINGLE = Settings(_env_file=None, profile=Profile.SINGLE)
CLUSTER = Settings(_env_file=None, profile=Profile.CLUSTER)


def test_the_cluster_bootstraps_from_every_local_broker() -> None:
    assert SINGLE.kafka_brokers == ["127.0.0.1:9092"]
    assert CLUSTER.kafka_bootstrap == "127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096"


def test_a_bootstrap_list_given_is_kept() -> None:
    listed = "kafka:19092,kafka-2:19092,kafka-3:19092"
    assert Settings(_env_file=None, profile="cluster", kafka_bootstrap=listed).kafka_brokers == (
        listed.split(",")
    )


def test_every_broker_is_a_voter_of_one_quorum_on_ports_of_its_own() -> None:
    configs = [broker_properties(CLUSTER, n, Path(f"/d{n}")) for n in (1, 2, 3)]
    assert {c["controller.quorum.voters"] for c in configs} == {
        "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097"
    }
    assert [c["node.id"] for c in configs] == [1, 2, 3]
    assert [c["advertised.listeners"] for c in configs] == [
        f"BROKER://{address}" for address in CLUSTER.kafka_brokers
    ]
    assert len({c["log.dirs"] for c in configs}) == CLUSTER_BROKERS


@pytest.mark.parametrize(
    ("settings", "replicas", "min_isr"), [(SINGLE, 1, 1), (CLUSTER, CLUSTER_BROKERS, 2)]
)
def test_topics_are_replicated_per_profile(settings: Settings, replicas: int, min_isr: int) -> None:
    config = broker_properties(settings, 1, Path("/data"))
    assert config["default.replication.factor"] == replicas
    assert config["offsets.topic.replication.factor"] == replicas
    assert config["transaction.state.log.replication.factor"] == replicas
    assert config["min.insync.replicas"] == min_isr
    assert config["offsets.topic.min.isr"] == min_isr
    assert config["transaction.state.log.min.isr"] == min_isr
    assert config["unclean.leader.election.enable"] == "false"
    worker = Connect(settings).worker_properties()
    for store in ("config", "offset", "status"):
        assert worker[f"{store}.storage.replication.factor"] == replicas
    _, debezium = render(POSTGRES, settings)
    assert debezium["topic.creation.default.replication.factor"] == str(replicas)
    assert debezium["topic.creation.compacted.replication.factor"] == str(replicas)


def test_the_workers_faust_producer_is_idempotent_with_acks_all() -> None:
    """Faust picks the transport by the broker URL's scheme: the entry point must resolve it
    to the one whose producer is idempotent (the engine test checks the broker agrees)."""
    assert isinstance(streams_app.producer_transport, kafka_transport.Transport)
    assert DURABLE_PRODUCER.items() <= streams_app.producer._settings_extra().items()


def test_the_single_broker_keeps_its_listener_and_controller() -> None:
    config = broker_properties(SINGLE, 1, Path("/data"))
    assert config["listeners"] == "BROKER://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093"
    assert config["controller.quorum.voters"] == "1@127.0.0.1:9093"


def local_ports(settings: Settings) -> list[int]:
    """Every port the local stack listens on in this profile."""
    kafka = [
        int(address.rsplit(":", 1)[1])
        for n in range(1, len(settings.kafka_brokers) + 1)
        for address in broker_properties(settings, n, Path("/d"))["listeners"].split(",")
    ]
    workers = [
        settings.streams_port(role, n)
        for role in (StreamsRole.ORDERS, StreamsRole.CATALOG)
        for n in range(1, settings.streams_workers + 1)
    ]
    own_fields = {"streams_web_port", "streams_catalog_web_port", "kafka_controller_port"}
    fields = [
        value
        for name, value in settings.model_dump().items()
        if name.endswith("_port") and name not in own_fields
    ]
    urls = [
        urlsplit(url).port
        for url in (
            settings.redis_url,
            settings.mongo_url,
            settings.connect_url,
            settings.elasticsearch_url,
            settings.gateway_url,
        )
    ]
    return [*kafka, *workers, *fields, *urls]


@pytest.mark.parametrize("settings", [SINGLE, CLUSTER], ids=["single", "cluster"])
def test_no_two_processes_share_a_port(settings: Settings) -> None:
    ports = local_ports(settings)
    assert len(ports) == len(set(ports)), sorted(ports)


def test_the_cluster_runs_three_brokers_and_two_workers_per_role() -> None:
    names = [c.name for c in stack.components(CLUSTER)]
    assert [b.name for b in brokers(CLUSTER)] == ["kafka", "kafka-2", "kafka-3"]
    assert {"kafka", "kafka-2", "kafka-3"} <= set(names)
    assert stream_workers(CLUSTER) == [
        "streams-orders",
        "streams-orders-2",
        "streams-catalog",
        "streams-catalog-2",
    ]
    assert stream_workers(SINGLE) == ["streams-orders", "streams-catalog"]
    assert not {"kafka-2", "streams-orders-2"} & {c.name for c in stack.components(SINGLE)}
    [connect] = [c for c in stack.components(CLUSTER) if c.name == "connect"]
    assert set(connect.depends_on) == {"kafka", "kafka-2", "kafka-3"}


def test_workers_of_a_role_share_the_group_not_the_port_or_files() -> None:
    for role in (StreamsRole.ORDERS, StreamsRole.CATALOG):
        assert CLUSTER.streams_port(role, 1) != CLUSTER.streams_port(role, 2)
        assert CLUSTER.streams_datadir(role, 1) != CLUSTER.streams_datadir(role, 2)
    assert SINGLE.streams_datadir(StreamsRole.ORDERS) == (
        SINGLE.streams_data_dir / "shopstream-streams-orders-data"
    )


def formatted(stack_dir: Path, broker: str, profile: Profile) -> None:
    home = stack_dir / broker
    (home / "data").mkdir(parents=True)
    (home / "data" / "meta.properties").write_text("cluster.id=abc\n")
    (home / "data.profile").write_text(profile)


def on(stack_dir: Path, profile: Profile) -> Settings:
    return Settings(_env_file=None, stack_dir=stack_dir, profile=profile)


def test_a_profile_does_not_start_on_the_others_kafka_data(tmp_path: Path) -> None:
    formatted(tmp_path, "kafka", Profile.SINGLE)
    refuse_other_profile(on(tmp_path, Profile.SINGLE))
    with pytest.raises(EngineError, match=r"make reset.*make up PROFILE=cluster"):
        refuse_other_profile(on(tmp_path, Profile.CLUSTER))


def test_a_second_broker_left_behind_is_refused_too(tmp_path: Path) -> None:
    formatted(tmp_path, "kafka-2", Profile.CLUSTER)
    with pytest.raises(EngineError, match="kafka-2"):
        refuse_other_profile(on(tmp_path, Profile.SINGLE))


def test_kafka_data_of_before_the_profiles_counts_as_single(tmp_path: Path) -> None:
    formatted(tmp_path, "kafka", Profile.SINGLE)
    (tmp_path / "kafka" / "data.profile").unlink()
    refuse_other_profile(on(tmp_path, Profile.SINGLE))
    with pytest.raises(EngineError):
        refuse_other_profile(on(tmp_path, Profile.CLUSTER))


def test_reset_deletes_every_brokers_data_whatever_the_profile(tmp_path: Path) -> None:
    for broker in ("kafka", "kafka-2", "kafka-3"):
        formatted(tmp_path, broker, Profile.CLUSTER)
    doomed = stack.data_paths(on(tmp_path, Profile.SINGLE))
    for node in (1, 2, 3):
        broker = Kafka(on(tmp_path, Profile.CLUSTER), node)
        assert {broker.data_dir, broker.formatted_for} <= set(doomed)


@pytest.fixture
def stack_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SHOP_STACK_DIR", str(tmp_path))
    monkeypatch.delenv("SHOP_PROFILE", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_recorded_profile_is_what_every_later_command_reads(stack_dir: Path) -> None:
    assert get_settings().profile is Profile.SINGLE
    chosen = switch(get_settings(), Profile.CLUSTER)
    assert chosen.profile is Profile.CLUSTER
    assert profile_file(stack_dir).read_text() == "SHOP_PROFILE=cluster\n"
    get_settings.cache_clear()
    assert get_settings().kafka_brokers == CLUSTER.kafka_brokers


def test_a_refused_switch_keeps_the_profile_recorded(stack_dir: Path) -> None:
    formatted(stack_dir, "kafka", Profile.SINGLE)
    with pytest.raises(EngineError, match="make reset"):
        switch(get_settings(), Profile.CLUSTER)
    assert not profile_file(stack_dir).exists()
    assert get_settings().profile is Profile.SINGLE


def test_up_refuses_the_switch_in_one_line(stack_dir: Path) -> None:
    """Before provisioning anything: the message names the data and the way out."""
    formatted(stack_dir, "kafka", Profile.SINGLE)
    result = CliRunner().invoke(shopctl, ["up", "--cluster"])
    assert result.exit_code == 1
    assert "make reset" in result.output and "PROFILE=cluster" in result.output
