"""Register the Debezium connectors through the Kafka Connect REST API, idempotently.

``connectors/*.json`` hold the configs with ``${VAR}`` placeholders filled from the
settings, so the same files serve the local stack, docker-compose and production.
"""

import json
import string
from pathlib import Path

import httpx

from config import Settings
from ops.connector_status import FAILED, UnitState, unit_states
from ops.polling import wait_until
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


def register(settings: Settings, file_name: str = POSTGRES, timeout: float = 60) -> str:
    """PUT the config (create or update, a no-op when unchanged) and wait until it runs."""
    name, config = render(file_name, settings)
    with httpx.Client(base_url=settings.connect_url, timeout=30) as connect:
        connect.put(f"/connectors/{name}/config", json=config).raise_for_status()
        wait_running(connect, name, timeout)
    return name


def wait_running(connect: httpx.Client, name: str, timeout: float) -> None:
    """Until the connector and all its tasks run; a failed task ends the wait at once."""

    def state() -> list[UnitState] | None:
        response = connect.get(f"/connectors/{name}/status")
        if response.status_code != 200:
            return None
        units = unit_states(response.json())
        if any(unit.task and unit.state == FAILED for unit in units):
            raise RuntimeError(f"connector {name} failed: {response.json()}")
        return units

    def running(units: list[UnitState] | None) -> bool:
        """The connector and at least one task, all running."""
        return units is not None and len(units) > 1 and all(unit.up for unit in units)

    wait_until(
        state, timeout=timeout, what=f"connector {name} running", accept=running, interval=0.5
    )
