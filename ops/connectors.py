"""Register the Debezium connectors through the Kafka Connect REST API, idempotently.

``connectors/*.json`` hold the configs with ``${VAR}`` placeholders filled from the
settings, so the same files serve the local stack, docker-compose and production.
"""

import json
import string
from collections.abc import Callable
from pathlib import Path

import httpx

from config import Settings
from ops.polling import wait_until
from streams.topics import ALL_TOPICS, POSTGRES_TABLES, RETENTION_MS, Cleanup

CONNECTORS_DIR = Path(__file__).resolve().parent.parent / "connectors"
POSTGRES = "postgres.json"
MONGODB = "mongodb.json"
RUNNING_TIMEOUT_SECONDS = 60.0


def connector_files(settings: Settings) -> tuple[str, ...]:
    """The connectors this deployment runs: Postgres always; the catalog's only where the
    catalog change feed is off. The feed and the MongoDB connector publish the same topic,
    and one of them must: FerretDB (the local stack) has no change streams, so the feed;
    a MongoDB replica set (docker-compose, production) has them, so the connector."""
    return (POSTGRES,) if settings.catalog_feed_enabled else (POSTGRES, MONGODB)


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


def register(settings: Settings, say: Callable[[str], None]) -> list[str]:
    """Wait for Connect (up to the engine start timeout), then PUT each connector's config
    (create or update, a no-op when unchanged) and wait until it runs; their names."""
    with httpx.Client(base_url=settings.connect_url, timeout=30) as connect:
        wait_for_connect(connect, settings.engine_start_timeout_seconds, say)
        names = []
        for file_name in connector_files(settings):
            name, config = render(file_name, settings)
            put_config(connect, name, config, RUNNING_TIMEOUT_SECONDS)
            wait_running(connect, name, RUNNING_TIMEOUT_SECONDS)
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


def wait_running(connect: httpx.Client, name: str, timeout: float) -> None:
    """Until the connector and all its tasks run; a failed task ends the wait at once."""

    def state() -> tuple[str, list[str]] | None:
        response = connect.get(f"/connectors/{name}/status")
        if response.status_code != 200:
            return None
        body = response.json()
        tasks = [t["state"] for t in body.get("tasks", [])]
        if "FAILED" in tasks:
            raise RuntimeError(f"connector {name} failed: {failure(body)}")
        return body["connector"]["state"], tasks

    def running(seen: tuple[str, list[str]] | None) -> bool:
        return seen is not None and seen[0] == "RUNNING" and set(seen[1]) == {"RUNNING"}

    wait_until(
        state, timeout=timeout, what=f"connector {name} running", accept=running, interval=0.5
    )


def failure(status: dict) -> str:
    """The first line of each failed task's Java trace (the exception and its message)."""
    return "; ".join(
        f"task {task.get('id')}: {(task.get('trace') or 'no trace').splitlines()[0]}"
        for task in status.get("tasks", [])
        if task.get("state") == "FAILED"
    )
