"""Kafka Connect (distributed mode, REST on loopback) with the Debezium PostgreSQL plugin."""

from urllib.parse import urlsplit

import httpx

from config import CONNECT_GROUP, CONNECT_STORAGE_TOPICS, KafkaUser, Settings
from ops.connectors import secret_variables
from ops.kafka_acls import ensure_acls
from ops.stack.engine import DaemonEngine
from ops.stack.engines.jvm import java_argv, write_properties
from ops.stack.engines.kafka import broker_names
from ops.stack.engines.sasl import client_properties
from ops.stack.process import Daemon, EngineError
from ops.stack.provision import maven_copy

POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector"
ENV_CONFIG_PROVIDER = "org.apache.kafka.common.config.provider.EnvVarConfigProvider"
CLIENT_PREFIXES = ("", "producer.", "consumer.")
"""Whose Kafka login the worker properties give: the worker's own clients (and, as Connect
passes its unprefixed settings on, the connectors' admin clients), the source tasks' producers
and the sink tasks' consumers."""


def secret_properties() -> dict[str, str]:
    """Connector configs name their secrets as ``${env:SHOP_...}`` (``ops.connectors``): the
    worker reads them from its own environment, and only those variables, so the REST API and
    Connect's config topic show the placeholder, never the secret. Connectors may not swap the
    worker's Kafka login for another (``connector.client.config.override.policy``)."""
    return {
        "config.providers": "env",
        "config.providers.env.class": ENV_CONFIG_PROVIDER,
        "config.providers.env.param.allowlist.pattern": "|".join(secret_variables()),
        "connector.client.config.override.policy": "None",
    }


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
            "group.id": CONNECT_GROUP,
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable": "false",
            "value.converter.schemas.enable": "false",
            **{f"{store}.storage.topic": name for store, name in CONNECT_STORAGE_TOPICS.items()},
            **{
                f"{store}.storage.replication.factor": s.kafka_replication_factor
                for store in CONNECT_STORAGE_TOPICS
            },
            "offset.flush.interval.ms": 1000,
            "listeners": f"http://{rest.netloc}",
            "rest.advertised.host.name": rest.hostname,
            "rest.advertised.port": rest.port,
            "plugin.path": self.plugin_dir,
            "topic.creation.enable": "true",
            "scheduled.rebalance.max.delay.ms": REBALANCE_DELAY_MS,
            **{
                key: value
                for prefix in CLIENT_PREFIXES
                for key, value in client_properties(s, KafkaUser.CONNECT, prefix).items()
            },
            **secret_properties(),
        }

    def secret_environment(self) -> dict[str, str]:
        """The values behind the connectors' ``${env:...}`` placeholders, from the settings."""
        return {
            name: str(getattr(self.settings, name.removeprefix("SHOP_").lower()))
            for name in secret_variables()
        }

    def start(self) -> None:
        """Connect reads and writes its topics from its first second, so its principal's ACLs
        (every principal's: the ``kafka-acls`` setup step) are created first. They stay in the
        brokers' metadata: a restart by the supervisor needs nothing."""
        ensure_acls(self.settings)
        super().start()

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
            env=self.secret_environment(),
        )

    def probe(self) -> None:
        plugins = httpx.get(f"{self.settings.connect_url}/connector-plugins", timeout=3)
        plugins.raise_for_status()
        if POSTGRES_CONNECTOR not in {p["class"] for p in plugins.json()}:
            raise EngineError(f"Connect is up but {POSTGRES_CONNECTOR} is not loaded")
