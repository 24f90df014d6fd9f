"""Apache Kafka 3.9 in KRaft mode (one combined broker+controller node) from Maven jars.

3.9 is the newest line that both aiokafka (under Faust) and kafka-python speak to
without protocol surprises; the client tests prove it.
"""

import base64
import uuid
from pathlib import Path

from kafka import KafkaConsumer

from ops.stack.engine import DaemonEngine
from ops.stack.engines.jvm import java_argv, write_properties
from ops.stack.process import Daemon, run
from ops.stack.provision import maven_copy


class Kafka(DaemonEngine):
    name = "kafka"

    @property
    def endpoint(self) -> str:
        return self.settings.kafka_bootstrap

    @property
    def lib_dir(self):
        return self.settings.stack_dir / "lib" / "kafka"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    def provision(self) -> None:
        maven_copy("kafka", self.lib_dir, self.log)
        if (self.data_dir / "meta.properties").exists():
            return
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        run(
            java_argv(
                self.lib_dir,
                "kafka.tools.StorageTool",
                "256m",
                self.home,
                "format",
                "-t",
                cluster_id,
                "-c",
                str(self._config()),
                "--ignore-formatted",
            ),
            "kafka storage format",
            self.log,
        )

    def data_paths(self) -> tuple[Path, ...]:
        """Topic logs and KRaft metadata (Connect's configs and offsets, as topics, too);
        the next ``up`` formats the storage again."""
        return (self.data_dir,)

    def _config(self):
        s = self.settings
        host = s.kafka_bootstrap.rsplit(":", 1)[0]
        return write_properties(
            self.home / "server.properties",
            {
                "process.roles": "broker,controller",
                "node.id": 1,
                "controller.quorum.voters": f"1@{host}:{s.kafka_controller_port}",
                "listeners": f"PLAINTEXT://{s.kafka_bootstrap},CONTROLLER://{host}:{s.kafka_controller_port}",
                "advertised.listeners": f"PLAINTEXT://{s.kafka_bootstrap}",
                "controller.listener.names": "CONTROLLER",
                "inter.broker.listener.name": "PLAINTEXT",
                "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs": self.data_dir,
                "num.partitions": 3,
                "default.replication.factor": 1,
                "offsets.topic.replication.factor": 1,
                "transaction.state.log.replication.factor": 1,
                "transaction.state.log.min.isr": 1,
                "group.initial.rebalance.delay.ms": 0,
                "auto.create.topics.enable": "true",
                "log.retention.hours": 168,
            },
        )

    def daemon(self) -> Daemon:
        return Daemon(
            argv=java_argv(self.lib_dir, "kafka.Kafka", "512m", self.home, str(self._config())),
            log=self.log,
            pidfile=self.pidfile,
        )

    def probe(self) -> None:
        consumer = KafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap,
            request_timeout_ms=3000,
        )
        try:
            consumer.topics()
        finally:
            consumer.close()
