"""Register the Debezium connectors through the Kafka Connect REST API, idempotently, and
restart them when they failed or hang.

``connectors/*.json`` hold the configs with ``${VAR}`` placeholders filled from the
settings, so the same files serve the local stack, docker-compose and production.
"""

import json
import string
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import httpx

from config import Settings
from ops.connector_status import Health, health
from ops.polling import NotReached, wait_until
from streams.topics import ALL_TOPICS, POSTGRES_TABLES, RETENTION_MS, Cleanup

CONNECTORS_DIR = Path(__file__).resolve().parent.parent / "connectors"
POSTGRES = "postgres.json"
MONGODB = "mongodb.json"


def connector_name(file_name: str) -> str:
    return json.loads((CONNECTORS_DIR / file_name).read_text())["name"]


def expected_connectors(settings: Settings) -> list[str]:
    """The connectors the deployment needs: Postgres', and MongoDB's where it, not the catalog
    change feed, captures the catalog."""
    files = [POSTGRES] if settings.catalog_feed_enabled else [POSTGRES, MONGODB]
    return [connector_name(f) for f in files]


def render(file_name: str, settings: Settings) -> tuple[str, dict[str, str]]:
    """The connector's name and config with every placeholder substituted."""
    values = {f"SHOP_{name.upper()}": str(value) for name, value in settings.model_dump().items()}
    values["TABLE_INCLUDE_LIST"] = ",".join(t.source for t in POSTGRES_TABLES)
    values["COMPACTED_TOPICS"] = ",".join(
        t.name(settings).replace(".", r"\.") for t in ALL_TOPICS if t.cleanup is Cleanup.COMPACT
    )
    values["RETENTION_MS"] = str(RETENTION_MS)
    spec = json.loads((CONNECTORS_DIR / file_name).read_text())
    config = {k: string.Template(v).substitute(values) for k, v in spec["config"].items()}
    return spec["name"], config


def register(
    settings: Settings,
    file_name: str = POSTGRES,
    timeout: float = 90,
    report: Callable[[str], None] = print,
) -> str:
    """PUT the config (create or update, a no-op when unchanged), then heal it until it runs."""
    name, config = render(file_name, settings)
    with httpx.Client(base_url=settings.connect_url, timeout=30) as connect:
        connect.put(f"/connectors/{name}/config", json=config).raise_for_status()
        heal(connect, name, timeout, report)
    return name


class Step(StrEnum):
    DONE = "done"
    LEAVE = "leave"
    WAIT = "wait"
    RESTART_FAILED = "restart-failed"  # ?includeTasks=true&onlyFailed=true
    RESTART_ALL = "restart-all"  # ?includeTasks=true&onlyFailed=false


SETTLE_SECONDS = 10.0
"""After a restart, how long a still failed connector gets before it is restarted again."""
PENDING_SECONDS = 15.0
"""How long a connector may wait for a rebalance to assign it before it is restarted. With no
rebalance delay on the worker (``Connect.worker_properties``), seconds is the norm."""
MAX_RESTARTS = 3


def next_step(status: dict | None, quiet_seconds: float, restarted: bool) -> Step:
    """What ``shopctl up`` does next about a connector of this status (None: Connect does not
    list it yet), ``quiet_seconds`` after its last restart (or since it began watching)."""
    if status is None:
        return Step.WAIT
    match health(status):
        case Health.RUNNING:
            return Step.DONE
        case Health.HELD:
            return Step.LEAVE
        case Health.FAILED if not restarted or quiet_seconds >= SETTLE_SECONDS:
            return Step.RESTART_FAILED
        case Health.PENDING if quiet_seconds >= PENDING_SECONDS:
            return Step.RESTART_ALL
    return Step.WAIT


def describe(status: dict | None) -> str:
    if status is None:
        return "not listed by Connect"
    tasks = ", ".join(task["state"] for task in status.get("tasks", [])) or "none"
    return f"connector {status['connector']['state']}, tasks {tasks}"


def heal(connect: httpx.Client, name: str, timeout: float, report: Callable[[str], None]) -> Step:
    """Until the connector runs (DONE) or is found paused (LEAVE): restart what failed at once
    and what stays unassigned past ``PENDING_SECONDS``, at most ``MAX_RESTARTS`` times, saying
    what it did. Connect restarts only what a worker holds: an unassigned connector starts
    when a rebalance assigns it, which a long ``scheduled.rebalance.max.delay.ms`` postpones."""
    restarts, quiet_since, last = 0, time.monotonic(), None

    def attempt() -> Step:
        nonlocal restarts, quiet_since, last
        last = _status(connect, name)
        step = next_step(last, time.monotonic() - quiet_since, restarts > 0)
        if step in (Step.RESTART_FAILED, Step.RESTART_ALL):
            if restarts == MAX_RESTARTS:
                raise RuntimeError(f"connector {name} {describe(last)} after {restarts} restarts")
            if restart(connect, name, only_failed=step is Step.RESTART_FAILED):
                restarts, quiet_since = restarts + 1, time.monotonic()
                what = "its failed parts" if step is Step.RESTART_FAILED else "it and its tasks"
                report(f"connector {name}: {describe(last)}; restarted {what} ({restarts})")
        return step

    try:
        step, _ = wait_until(
            attempt,
            timeout=timeout,
            what=f"connector {name} running",
            accept=lambda step: step in (Step.DONE, Step.LEAVE),
            ignoring=(httpx.TransportError,),
            interval=0.5,
        )
    except NotReached:
        raise RuntimeError(
            f"connector {name} not running after {timeout:.0f}s ({describe(last)});"
            " see the Connect log for why"
        ) from None
    if step is Step.LEAVE:
        report(f"connector {name} {describe(last)}: left so (PUT /connectors/{name}/resume)")
    elif restarts:
        report(f"connector {name} running again")
    return step


def restart(connect: httpx.Client, name: str, only_failed: bool) -> bool:
    """Ask Connect (3.0 or newer) to restart the connector and its tasks, or only the failed
    ones; False when it cannot take the request now (a rebalance is under way)."""
    response = connect.post(
        f"/connectors/{name}/restart",
        params={"includeTasks": "true", "onlyFailed": str(only_failed).lower()},
    )
    if response.status_code in (404, 409):
        return False
    response.raise_for_status()
    return True


def wait_running(connect: httpx.Client, name: str, timeout: float) -> None:
    """Until the connector and all its tasks run, restarting nothing; a failure ends the wait
    at once."""

    def state() -> dict | None:
        status = _status(connect, name)
        if status is not None and health(status) is Health.FAILED:
            raise RuntimeError(f"connector {name} failed: {status}")
        return status

    wait_until(
        state,
        timeout=timeout,
        what=f"connector {name} running",
        accept=lambda status: status is not None and health(status) is Health.RUNNING,
        interval=0.5,
    )


def _status(connect: httpx.Client, name: str) -> dict | None:
    response = connect.get(f"/connectors/{name}/status")
    return response.json() if response.status_code == 200 else None
