"""Helpers of the ops tests: the processes they start, waiting on them, Kafka traffic."""

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from kafka import KafkaProducer

from config import DURABLE_PRODUCER, PROJECT_ROOT, KafkaUser, Settings
from ops.polling import NotReached, wait_until
from ops.stack.process import Daemon, log_tail


def python_daemon(home: Path, name: str, args: list[str], env: dict[str, str]) -> Daemon:
    """``python <args>`` from the project root, logging to ``home/<name>.log``."""
    return Daemon(
        argv=[sys.executable, *args],
        log=home / f"{name}.log",
        pidfile=home / f"{name}.pid",
        env=env,
        cwd=PROJECT_ROOT,
    )


def wait_for(what: str, check: Callable[[], bool], daemon: Daemon, timeout: float = 90) -> None:
    """Poll ``check``; fail with the process's log when it does not hold in time."""
    try:
        wait_until(check, timeout=timeout, what=what, interval=0.5)
    except NotReached as missed:
        pytest.fail(f"{missed}; log:\n{log_tail(daemon.log, 30)}", pytrace=False)


def produce(settings: Settings, topic: str, count: int) -> None:
    producer = KafkaProducer(**settings.kafka_client(KafkaUser.ADMIN), **DURABLE_PRODUCER)
    for i in range(count):
        producer.send(topic, key=str(i).encode(), value=b"{}")
    producer.flush()
    producer.close()
