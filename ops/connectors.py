"""Register the Debezium connectors through the Kafka Connect REST API, idempotently.

``connectors/*.json`` hold the configs with ``${VAR}`` placeholders filled from the
settings, so the same files serve the local stack, docker-compose and production.
"""

import json
import string
from pathlib import Path

import httpx

from config import Settings
from ops.polling import wait_until
from streams.topics import ALL_TOPICS, POSTGRES_TABLES, RETENTION_MS, Cleanup

CONNECTORS_DIR = Path(__file__).resolve().parent.parent / "connectors"
POSTGRES = "postgres.json"


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


def register(settings: Settings, file_name: str = POSTGRES, timeout: float = 60) -> str:
    """PUT the config (create or update, a no-op when unchanged) and wait until it runs."""
    name, config = render(file_name, settings)
    with httpx.Client(base_url=settings.connect_url, timeout=30) as connect:
        connect.put(f"/connectors/{name}/config", json=config).raise_for_status()
        wait_running(connect, name, timeout)
    return name


def wait_running(connect: httpx.Client, name: str, timeout: float) -> None:
    """Until the connector and all its tasks run; a failed task ends the wait at once."""

    def state() -> tuple[str, list[str]] | None:
        response = connect.get(f"/connectors/{name}/status")
        if response.status_code != 200:
            return None
        body = response.json()
        tasks = [t["state"] for t in body.get("tasks", [])]
        if "FAILED" in tasks:
            raise RuntimeError(f"connector {name} failed: {body}")
        return body["connector"]["state"], tasks

    def running(seen: tuple[str, list[str]] | None) -> bool:
        return seen is not None and seen[0] == "RUNNING" and set(seen[1]) == {"RUNNING"}

    wait_until(
        state, timeout=timeout, what=f"connector {name} running", accept=running, interval=0.5
    )
