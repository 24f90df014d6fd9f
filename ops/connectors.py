"""Register the Debezium connectors through the Kafka Connect REST API, idempotently, and
restart them when they failed or hang.

``connectors/*.json`` hold the configs with ``${VAR}`` placeholders filled from the
settings, so the same files serve the local stack, docker-compose and production. Secrets are
``${env:VAR}`` instead: left as they are, for the Connect worker to resolve from its own
environment (its env config provider), so a password never crosses Connect's REST API nor
lands in its config topic, and ``GET /connectors/<name>/config`` shows the placeholder.
"""

import json
import re
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
RUNNING_TIMEOUT_SECONDS = 90.0
FILLED = re.compile(r"\$\{(\w+)\}")
"""``${NAME}``; a Connect placeholder, ``${env:NAME}``, has a colon and is left alone."""
SECRET = re.compile(r"\$\{env:(\w+)\}")


def connector_files(settings: Settings) -> tuple[str, ...]:
    """The connectors this deployment runs: Postgres always; the catalog's only where the
    catalog change feed is off. The feed and the MongoDB connector publish the same topic,
    and one of them must: FerretDB (the local stack) has no change streams, so the feed;
    a MongoDB replica set (docker-compose, production) has them, so the connector."""
    return (POSTGRES,) if settings.catalog_feed_enabled else (POSTGRES, MONGODB)


def connector_name(file_name: str) -> str:
    return json.loads((CONNECTORS_DIR / file_name).read_text())["name"]


def expected_connectors(settings: Settings) -> list[str]:
    """The names of ``connector_files``: what the dashboard expects to find running."""
    return [connector_name(f) for f in connector_files(settings)]


def secret_variables() -> tuple[str, ...]:
    """The environment variables the connector files name as ``${env:VAR}``: what the Connect
    worker is given and allowed to read."""
    texts = [path.read_text() for path in sorted(CONNECTORS_DIR.glob("*.json"))]
    return tuple(sorted({name for text in texts for name in SECRET.findall(text)}))


def render(file_name: str, settings: Settings) -> tuple[str, dict[str, str]]:
    """The connector's name and config with every ``${NAME}`` filled; secrets stay
    placeholders."""
    values = {f"SHOP_{name.upper()}": str(value) for name, value in settings.model_dump().items()}
    values["TABLE_INCLUDE_LIST"] = ",".join(t.source for t in POSTGRES_TABLES)
    values["COMPACTED_TOPICS"] = ",".join(
        t.name(settings).replace(".", r"\.") for t in ALL_TOPICS if t.cleanup is Cleanup.COMPACT
    )
    values["RETENTION_MS"] = str(RETENTION_MS)
    values["KAFKA_REPLICATION_FACTOR"] = str(settings.kafka_replication_factor)
    spec = json.loads((CONNECTORS_DIR / file_name).read_text())
    config = {k: FILLED.sub(lambda m: values[m.group(1)], v) for k, v in spec["config"].items()}
    return spec["name"], config


def register(settings: Settings, say: Callable[[str], None]) -> list[str]:
    """Wait for Connect (up to the engine start timeout), then PUT each connector's config
    (create or update, a no-op when unchanged) and heal it until it runs; their names."""
    with httpx.Client(base_url=settings.connect_url, timeout=30) as connect:
        wait_for_connect(connect, settings.engine_start_timeout_seconds, say)
        names = []
        for file_name in connector_files(settings):
            name, config = render(file_name, settings)
            put_config(connect, name, config, RUNNING_TIMEOUT_SECONDS)
            heal(connect, name, RUNNING_TIMEOUT_SECONDS, say)
            names.append(name)
        return names


def answers(connect: httpx.Client) -> bool:
    try:
        return connect.get("/connectors").status_code == 200
    except httpx.TransportError:
        return False


def wait_for_connect(connect: httpx.Client, timeout: float, say: Callable[[str], None]) -> None:
    """Connect's REST API answers seconds after its process starts (docker-compose starts
    everything at once): wait for it, saying so, rather than fail the first request."""
    if answers(connect):
        return
    say(f"waiting for Kafka Connect at {connect.base_url} (up to {timeout:g}s)")
    _, waited = wait_until(
        lambda: answers(connect),
        timeout=timeout,
        what="Kafka Connect answering",
        interval=1,
    )
    say(f"Kafka Connect answered after {waited:.0f}s")


def put_config(connect: httpx.Client, name: str, config: dict[str, str], timeout: float) -> None:
    """Connect answers 409 while its workers rebalance (just after it starts): try again."""
    response, _ = wait_until(
        lambda: connect.put(f"/connectors/{name}/config", json=config),
        timeout=timeout,
        what=f"connector {name} config accepted",
        accept=lambda r: r.status_code != 409,
        interval=1,
    )
    response.raise_for_status()


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
            raise RuntimeError(f"connector {name} failed: {failure(status)}")
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


def failure(status: dict) -> str:
    """The first line of each failed task's Java trace (the exception and its message)."""
    return "; ".join(
        f"task {task.get('id')}: {(task.get('trace') or 'no trace').splitlines()[0]}"
        for task in status.get("tasks", [])
        if task.get("state") == "FAILED"
    )
