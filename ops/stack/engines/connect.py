"""Kafka Connect (distributed mode, REST on loopback) with the Debezium PostgreSQL plugin."""

from urllib.parse import urlsplit

import httpx

from ops.stack.engine import DaemonEngine
from ops.stack.engines.jvm import java_argv, write_properties
from ops.stack.process import Daemon, EngineError
from ops.stack.provision import maven_copy

POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector"


class Connect(DaemonEngine):
    name = "connect"
    depends_on = ("kafka",)

    @property
    def endpoint(self) -> str:
        return self.settings.connect_url

    @property
    def plugin_dir(self):
        return self.settings.stack_dir / "connect-plugins"

    def provision(self) -> None:
        """The Connect runtime jars come with the Kafka engine; only the plugin is ours."""
        maven_copy("debezium", self.plugin_dir / "debezium-connector-postgres", self.log)

    def daemon(self) -> Daemon:
        s = self.settings
        rest = urlsplit(s.connect_url)
        config = write_properties(
            self.home / "connect-distributed.properties",
            {
                "bootstrap.servers": s.kafka_bootstrap,
                "group.id": "shopstream-connect",
                "key.converter": "org.apache.kafka.connect.json.JsonConverter",
                "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                "key.converter.schemas.enable": "false",
                "value.converter.schemas.enable": "false",
                "config.storage.topic": "connect-configs",
                "offset.storage.topic": "connect-offsets",
                "status.storage.topic": "connect-status",
                "config.storage.replication.factor": 1,
                "offset.storage.replication.factor": 1,
                "status.storage.replication.factor": 1,
                "offset.flush.interval.ms": 1000,
                "listeners": f"http://{rest.netloc}",
                "rest.advertised.host.name": rest.hostname,
                "rest.advertised.port": rest.port,
                "plugin.path": self.plugin_dir,
                "topic.creation.enable": "true",
            },
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
