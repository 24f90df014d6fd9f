"""Lag of a real Faust worker: it grows while the worker is stopped and drains after a restart.

The worker (``lag_worker.py``) has a consumer group and a topic of its own; ``shopctl lag``
reports it, exits 1 above the threshold and 0 once the worker caught up.
"""

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from typer.testing import CliRunner

from adapters.metric_names import AGENT_EVENTS
from config import KafkaUser, Settings
from harness.sockets import free_port
from ops.cli import app as shopctl
from ops.lag import LagProbe, PartitionLag
from tests.ops.support import produce, python_daemon, wait_for

pytestmark = pytest.mark.engines

TRAFFIC = 300


class Worker:
    def __init__(self, settings: Settings, home: Path) -> None:
        tag = uuid.uuid4().hex[:8]
        self.group, self.topic, self.port = f"opslag-{tag}", f"opslag-{tag}", free_port()
        self.daemon = python_daemon(
            home,
            "worker",
            ["-m", "faust", "-A", "tests.ops.lag_worker", "worker"],
            {
                "LAG_TEST_APP_ID": self.group,
                "LAG_TEST_TOPIC": self.topic,
                "LAG_TEST_WEB_PORT": str(self.port),
                "LAG_TEST_DATA_DIR": str(home / "data"),
            },
        )

    def metrics(self) -> str:
        return httpx.get(f"http://127.0.0.1:{self.port}/metrics", timeout=5).text


@pytest.fixture
def worker(
    settings: Settings, require_engine: Callable[[str], None], tmp_path: Path
) -> Iterator[Worker]:
    require_engine("kafka")
    worker = Worker(settings, tmp_path)
    admin = KafkaAdminClient(**settings.kafka_client(KafkaUser.ADMIN))
    admin.create_topics(
        [
            NewTopic(
                worker.topic, num_partitions=3, replication_factor=settings.kafka_replication_factor
            )
        ]
    )
    try:
        yield worker
    finally:
        worker.daemon.stop()
        admin.delete_topics([worker.topic, f"{worker.group}-__assignor-__leader"])
        admin.delete_groups([worker.group])
        admin.close()


def lag_of(settings: Settings, group: str) -> list[PartitionLag]:
    probe = LagProbe(settings, [group])
    try:
        return probe.measure()
    finally:
        probe.close()


def total(rows: list[PartitionLag]) -> int:
    return sum(row.lag for row in rows)


def test_lag_grows_while_the_worker_is_stopped_and_drains_after_restart(
    settings: Settings, worker: Worker
) -> None:
    worker.daemon.start()
    produce(settings, worker.topic, 10)
    wait_for(
        "worker commits its first records", lambda: _caught_up(settings, worker, 10), worker.daemon
    )

    worker.daemon.stop()
    produce(settings, worker.topic, TRAFFIC)
    rows = lag_of(settings, worker.group)
    assert total(rows) == TRAFFIC
    assert {r.partition for r in rows} == {0, 1, 2}
    assert all(r.last_commit_ms is not None for r in rows)  # decoded from __consumer_offsets

    stopped = CliRunner().invoke(
        shopctl, ["lag", "--group", worker.group, "--max-lag", "10", "--json"]
    )
    assert stopped.exit_code == 1, stopped.output
    reported = json.loads(stopped.output)["partitions"]
    assert sum(p["lag"] for p in reported) == TRAFFIC
    assert all(p["commit_age_seconds"] >= 0 for p in reported)

    worker.daemon.start()
    wait_for(
        "lag drains to zero", lambda: _caught_up(settings, worker, 10 + TRAFFIC), worker.daemon
    )
    drained = CliRunner().invoke(shopctl, ["lag", "--group", worker.group, "--max-lag", "0"])
    assert drained.exit_code == 0, drained.output
    assert worker.group in drained.output
    unknown = CliRunner().invoke(shopctl, ["lag", "--group", f"{worker.group}-never", "--json"])
    assert unknown.exit_code == 1 and json.loads(unknown.output)["unknown"] == [
        f"{worker.group}-never"
    ]

    counted = f'{AGENT_EVENTS.series()[0]}{{agent="drain"}}'
    samples = [line for line in worker.metrics().splitlines() if line.startswith(counted)]
    assert samples and float(samples[0].split()[-1]) == TRAFFIC  # this run of the worker


def _caught_up(settings: Settings, worker: Worker, records: int) -> bool:
    rows = lag_of(settings, worker.group)
    return sum(r.end for r in rows) == records and total(rows) == 0
