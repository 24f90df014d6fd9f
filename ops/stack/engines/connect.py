"""Kafka Connect (distributed mode, REST on loopback) with the Debezium PostgreSQL plugin."""

from urllib.parse import urlsplit

import httpx

from config import Settings
from ops.stack.engine import DaemonEngine
from ops.stack.engines.jvm import java_argv, write_properties
from ops.stack.engines.kafka import broker_names
from ops.stack.process import Daemon, EngineError
from ops.stack.provision import maven_copy

POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector"

REBALANCE_DELAY_MS = 0
"""How long the worker group keeps the work of a member that left unassigned, in case it comes
back (``scheduled.rebalance.max.delay.ms``, 5 minutes by default). The delay spares a cluster
of several workers a reshuffle when one restarts; we run one worker, so there is nobody else
to hand the work to, and any delay is an outage: after Kafka was killed, the worker rejoined
as a new member and the connector stayed UNASSIGNED for the full 5 minutes. 0 reassigns at
once (Kafka 3.7+, KAFKA-15693; before that, 0 could leave it unassigned until the next
rebalance). docker-compose sets the same value."""


class Connect(DaemonEngine):
    name = "connect"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.depends_on = broker_names(settings)  # its topics need every replica's broker

    @property
    def endpoint(self) -> str:
        return self.settings.connect_url

    @property
    def plugin_dir(self):
        return self.settings.stack_dir / "connect-plugins"

    def provision(self) -> None:
        """The Connect runtime jars come with the Kafka engine; only the plugin is ours."""
        maven_copy("debezium", self.plugin_dir / "debezium-connector-postgres", self.log)

    def worker_properties(self) -> dict[str, object]:
        s = self.settings
        rest = urlsplit(s.connect_url)
        return {
            "bootstrap.servers": s.kafka_bootstrap,
            "group.id": "shopstream-connect",
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable": "false",
            "value.converter.schemas.enable": "false",
            "config.storage.topic": "connect-configs",
            "offset.storage.topic": "connect-offsets",
            "status.storage.topic": "connect-status",
            "config.storage.replication.factor": s.kafka_replication_factor,
            "offset.storage.replication.factor": s.kafka_replication_factor,
            "status.storage.replication.factor": s.kafka_replication_factor,
            "offset.flush.interval.ms": 1000,
            "listeners": f"http://{rest.netloc}",
            "rest.advertised.host.name": rest.hostname,
            "rest.advertised.port": rest.port,
            "plugin.path": self.plugin_dir,
            "topic.creation.enable": "true",
            "scheduled.rebalance.max.delay.ms": REBALANCE_DELAY_MS,
        }

    def daemon(self) -> Daemon:
        config = write_properties(
            self.home / "connect-distributed.properties", self.worker_properties()
        )
        return Daemon(
            argv=java_argv(
                self.settings.stack_dir / "lib" / "kafka",
                "org.apache.kafka.connect.cli.ConnectDistributed",
                "512m",
                self.home,
                str(config),
            ),
            log=self.log,
            pidfile=self.pidfile,
        )

    def probe(self) -> None:
        plugins = httpx.get(f"{self.settings.connect_url}/connector-plugins", timeout=3)
        plugins.raise_for_status()
        if POSTGRES_CONNECTOR not in {p["class"] for p in plugins.json()}:
            raise EngineError(f"Connect is up but {POSTGRES_CONNECTOR} is not loaded")
