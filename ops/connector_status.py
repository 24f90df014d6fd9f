"""Kafka Connect's view of the connectors: the state of each connector and of each of its tasks.

A connector whose task FAILED captures nothing while Connect itself stays up and answers (and
its replication slot keeps retaining WAL), so health is per unit: the connector and every task,
each RUNNING or not, with the first line of a failure's stack trace. A connector the deployment
needs but Connect does not know at all is MISSING.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum

import httpx

RUNNING = "RUNNING"
FAILED = "FAILED"
MISSING = "MISSING"  # ours: the connector is not registered
UNREACHABLE = "UNREACHABLE"  # ours: Connect did not answer, so nothing is known to run


@dataclass(frozen=True)
class UnitState:
    connector: str
    task: str  # "" for the connector itself, else the task id
    state: str  # Connect's (RUNNING, PAUSED, STOPPED, UNASSIGNED, RESTARTING, FAILED) or ours
    worker: str | None
    trace: str | None  # first line of a failure's stack trace: the exception and its message

    @property
    def up(self) -> bool:
        return self.state == RUNNING

    @property
    def level(self) -> str:
        """``ok`` running; ``bad`` failed, missing or unreachable (nothing is captured); ``warn``
        otherwise (paused, stopped, or between states)."""
        if self.up:
            return "ok"
        return "bad" if self.state in (FAILED, MISSING, UNREACHABLE) else "warn"

    def as_json(self) -> dict:
        return {**asdict(self), "up": self.up, "level": self.level}


def first_line(trace: str | None) -> str | None:
    return trace.strip().splitlines()[0] if trace and trace.strip() else None


def _unit(connector: str, task: str, status: dict) -> UnitState:
    return UnitState(
        connector, task, status["state"], status.get("worker_id"), first_line(status.get("trace"))
    )


def unit_states(status: dict) -> list[UnitState]:
    """One connector's ``GET /connectors/<name>/status`` body: the connector, then its tasks."""
    name = status["name"]
    tasks = sorted(status.get("tasks", []), key=lambda t: t["id"])
    return [_unit(name, "", status["connector"]), *(_unit(name, str(t["id"]), t) for t in tasks)]


class Health(StrEnum):
    RUNNING = "running"  # the connector and every task of it
    FAILED = "failed"  # the connector or a task: a restart may cure it
    HELD = "held"  # paused or stopped by an operator: theirs to resume
    PENDING = "pending"  # unassigned, restarting, no tasks yet: normally a rebalance away


def health(status: dict) -> Health:
    """One connector's ``GET /connectors/<name>/status`` body as one word."""
    connector, *tasks = unit_states(status)
    if connector.state in ("PAUSED", "STOPPED"):
        return Health.HELD
    if any(unit.state == FAILED for unit in (connector, *tasks)):
        return Health.FAILED
    if tasks and connector.up and all(task.up for task in tasks):
        return Health.RUNNING
    return Health.PENDING


def connector_states(expanded: dict, expected: Iterable[str]) -> list[UnitState]:
    """Every connector of a ``GET /connectors?expand=status`` body, by name, and a MISSING unit
    for each expected connector the body lacks (one created an instant ago has no status yet)."""
    states = [
        unit
        for name in sorted(expanded)
        if "status" in expanded[name]
        for unit in unit_states(expanded[name]["status"])
    ]
    missing = sorted(set(expected) - set(expanded))
    return [*(UnitState(name, "", MISSING, None, None) for name in missing), *states]


def unreachable(expected: Iterable[str], error: str) -> list[UnitState]:
    """What is known while Connect does not answer: the expected connectors, none running."""
    return [UnitState(name, "", UNREACHABLE, None, first_line(error)) for name in expected]


def read_connector_states(connect_url: str, expected: Iterable[str]) -> list[UnitState]:
    """Every connector's state in one request."""
    with httpx.Client(base_url=connect_url, timeout=10) as connect:
        answer = connect.get("/connectors", params={"expand": "status"})
        answer.raise_for_status()
        return connector_states(answer.json(), expected)
