"""Apache Kafka 3.9 in KRaft mode from Maven jars: one combined broker+controller node, or
in the cluster profile three of them, each a voter of the controller quorum.

3.9 is the newest line that both aiokafka (under Faust) and kafka-python speak to
without protocol surprises; the client tests prove it.
"""

import base64
import threading
import uuid
from pathlib import Path

from kafka import KafkaConsumer

from config import CLUSTER_BROKERS, PORT_STEP, KafkaUser, Profile, Settings
from ops.stack.engine import DaemonEngine
from ops.stack.engines.jvm import java_argv, write_properties
from ops.stack.engines.sasl import CLIENT_LISTENER, CONTROLLER_LISTENER, broker_security
from ops.stack.process import Daemon, EngineError, run
from ops.stack.provision import maven_copy

HEAP = {Profile.SINGLE: "512m", Profile.CLUSTER: "384m"}
"""Per broker: three brokers share the load one carries alone, and the machine's memory."""

_PROVISION = threading.Lock()
"""The brokers provision in parallel, but share one jar directory and one cluster id."""


def broker_name(node: int) -> str:
    """``kafka`` for the first broker (in both profiles), ``kafka-2``... for the others."""
    return "kafka" if node == 1 else f"kafka-{node}"


def brokers(settings: Settings) -> list["Kafka"]:
    return [Kafka(settings, node) for node in range(1, len(settings.kafka_brokers) + 1)]


def every_broker(settings: Settings) -> list["Kafka"]:
    """The brokers of either profile: what ``reset`` deletes and the profile check reads."""
    return [Kafka(settings, node) for node in range(1, CLUSTER_BROKERS + 1)]


def broker_names(settings: Settings) -> tuple[str, ...]:
    return tuple(broker_name(node) for node in range(1, len(settings.kafka_brokers) + 1))


def controller_address(settings: Settings, node: int) -> str:
    host = settings.kafka_brokers[node - 1].rsplit(":", 1)[0]
    return f"{host}:{settings.kafka_controller_port + PORT_STEP * (node - 1)}"


def broker_properties(settings: Settings, node: int, data_dir: Path) -> dict[str, object]:
    """``server.properties`` of broker ``node``: every broker is a voter, topics get one
    replica per broker (up to three) of which ``kafka_min_insync_replicas`` must ack, and every
    listener wants a SASL login (``broker_security``)."""
    s = settings
    address = s.kafka_brokers[node - 1]
    voters = ",".join(f"{n}@{controller_address(s, n)}" for n in range(1, len(s.kafka_brokers) + 1))
    replicas, min_isr = s.kafka_replication_factor, s.kafka_min_insync_replicas
    return {
        "process.roles": "broker,controller",
        "node.id": node,
        "controller.quorum.voters": voters,
        "listeners": (
            f"{CLIENT_LISTENER}://{address},{CONTROLLER_LISTENER}://{controller_address(s, node)}"
        ),
        "advertised.listeners": f"{CLIENT_LISTENER}://{address}",
        "controller.listener.names": CONTROLLER_LISTENER,
        "inter.broker.listener.name": CLIENT_LISTENER,
        **broker_security(s),
        "log.dirs": data_dir,
        "num.partitions": 3,
        "default.replication.factor": replicas,
        "min.insync.replicas": min_isr,
        "offsets.topic.replication.factor": replicas,
        "offsets.topic.min.isr": min_isr,
        "transaction.state.log.replication.factor": replicas,
        "transaction.state.log.min.isr": min_isr,
        "unclean.leader.election.enable": "false",
        # The controller fences a broker it has not heard from for 3 s (default 9 s) and
        # moves its partitions' leadership: a killed broker costs seconds, not tens.
        "broker.session.timeout.ms": 3000,
        "broker.heartbeat.interval.ms": 1000,
        "group.initial.rebalance.delay.ms": 0,
        "auto.create.topics.enable": "true",
        "log.retention.hours": 168,
    }


class Kafka(DaemonEngine):
    def __init__(self, settings: Settings, node: int = 1) -> None:
        self.node = node
        self.name = broker_name(node)
        super().__init__(settings)

    @property
    def endpoint(self) -> str:
        return self.settings.kafka_brokers[self.node - 1]

    @property
    def lib_dir(self):
        return self.settings.stack_dir / "lib" / "kafka"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def formatted_for(self) -> Path:
        """The profile the data was formatted under: a single node's metadata log cannot join
        a three-voter quorum, nor the reverse."""
        return self.home / "data.profile"

    def provision(self) -> None:
        with _PROVISION:
            maven_copy("kafka", self.lib_dir, self.log)
            if not (self.data_dir / "meta.properties").exists():
                self._format()

    def _format(self) -> None:
        """A broker joining brokers formatted before takes their cluster id; else a new one."""
        run(
            java_argv(
                self.lib_dir,
                "kafka.tools.StorageTool",
                "256m",
                self.home,
                "format",
                # One argument with "=": a random id starts with "-" one time in 64, and
                # the tool's parser then takes it for an option (CI failed on one).
                f"--cluster-id={_cluster_id(brokers(self.settings))}",
                f"--config={self._config()}",
                "--ignore-formatted",
            ),
            f"{self.name} storage format",
            self.log,
        )
        self.formatted_for.write_text(self.settings.profile)

    def data_paths(self) -> tuple[Path, ...]:
        """Topic logs and KRaft metadata (Connect's configs and offsets, as topics, too);
        the next ``up`` formats the storage again."""
        return (self.data_dir, self.formatted_for)

    def _config(self) -> Path:
        return write_properties(
            self.home / "server.properties",
            broker_properties(self.settings, self.node, self.data_dir),
        )

    def daemon(self) -> Daemon:
        return Daemon(
            argv=java_argv(
                self.lib_dir,
                "kafka.Kafka",
                HEAP[self.settings.profile],
                self.home,
                str(self._config()),
            ),
            log=self.log,
            pidfile=self.pidfile,
        )

    def probe(self) -> None:
        """This broker itself answers (not any broker of the bootstrap list)."""
        # kafka-python waits 30 s to bootstrap by default: `up` checked every down broker for
        # that long before starting it (broker restarts took 30 s apart, bench/faults.py).
        consumer = KafkaConsumer(
            **self.settings.kafka_client(KafkaUser.ADMIN, bootstrap=self.endpoint),
            request_timeout_ms=3000,
            bootstrap_timeout_ms=3000,
        )
        try:
            consumer.topics()
        finally:
            consumer.close()


def _cluster_id(stack: list[Kafka]) -> str:
    for broker in stack:
        meta = broker.data_dir / "meta.properties"
        if meta.exists():
            return read_properties(meta)["cluster.id"]
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def read_properties(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def refuse_other_profile(settings: Settings) -> None:
    """Kafka data formatted under the other profile must be deleted before this one starts:
    raise naming it, with the command that deletes it."""
    wanted = {b.name for b in brokers(settings)}
    for broker in every_broker(settings):
        if not (broker.data_dir / "meta.properties").exists():
            continue
        formatted = (
            broker.formatted_for.read_text().strip() if broker.formatted_for.exists() else "single"
        )
        if broker.name not in wanted or formatted != settings.profile:
            raise EngineError(
                f"the Kafka data in {broker.data_dir} is of the {formatted} profile, not"
                f" {settings.profile}: `make reset` deletes the stack's data, then"
                f" `make up PROFILE={settings.profile}`"
            )
