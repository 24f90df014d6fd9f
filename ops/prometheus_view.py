"""What the stack's Prometheus says, for the ops dashboard: the alerts firing or pending, the
health of the rule groups (``ops/prometheus/alerts.yml``) and of the scrape targets.

Read from its HTTP API (``/api/v1/alerts``, ``/api/v1/rules``, ``/api/v1/targets``): the local
stack's Prometheus has no web UI, and the dashboard is where an operator looks first.
"""

from dataclasses import asdict, dataclass
from typing import Any

import httpx

STATES = ("firing", "pending")
SEVERITIES = ("critical", "warning")
NEVER = "0001-01-01T00:00:00Z"  # Prometheus' time of a rule group not evaluated yet


@dataclass(frozen=True)
class Alert:
    name: str
    state: str  # firing, pending
    severity: str | None
    summary: str | None
    active_at: str | None
    labels: dict[str, str]


@dataclass(frozen=True)
class RuleGroup:
    name: str
    file: str
    rules: int
    unhealthy: list[str]  # rules whose last evaluation failed, with the error
    last_evaluation: str | None  # None: not evaluated yet

    @property
    def ok(self) -> bool:
        return self.last_evaluation is not None and not self.unhealthy


@dataclass(frozen=True)
class Target:
    job: str
    url: str
    health: str  # up, down, unknown
    error: str | None


@dataclass(frozen=True)
class PrometheusView:
    alerts: list[Alert]
    groups: list[RuleGroup]
    targets: list[Target]

    def as_json(self) -> dict[str, Any]:
        return {
            "alerts": [asdict(a) for a in self.alerts],
            "groups": [{**asdict(g), "ok": g.ok} for g in self.groups],
            "targets": [asdict(t) for t in self.targets],
            "targets_up": sum(t.health == "up" for t in self.targets),
        }


def _rank(order: tuple[str, ...], value: str | None) -> int:
    return order.index(value) if value in order else len(order)


def alerts_of(data: dict[str, Any]) -> list[Alert]:
    """Firing before pending, critical before warning, then by name."""
    alerts = [
        Alert(
            name=a["labels"].get("alertname", "?"),
            state=a.get("state", "?"),
            severity=a["labels"].get("severity"),
            summary=a.get("annotations", {}).get("summary"),
            active_at=a.get("activeAt"),
            labels={k: v for k, v in a["labels"].items() if k not in ("alertname", "severity")},
        )
        for a in data.get("alerts", [])
    ]
    return sorted(
        alerts, key=lambda a: (_rank(STATES, a.state), _rank(SEVERITIES, a.severity), a.name)
    )


def groups_of(data: dict[str, Any]) -> list[RuleGroup]:
    return [
        RuleGroup(
            name=g["name"],
            file=g.get("file", ""),
            rules=len(g.get("rules", [])),
            unhealthy=[
                f"{r.get('name')}: {r.get('lastError') or r.get('health')}"
                for r in g.get("rules", [])
                if r.get("health") not in ("ok", "unknown")
            ],
            last_evaluation=_evaluated(g.get("lastEvaluation")),
        )
        for g in data.get("groups", [])
    ]


def _evaluated(stamp: str | None) -> str | None:
    return None if stamp in (None, NEVER) else stamp


def targets_of(data: dict[str, Any]) -> list[Target]:
    """Down first, then by job and URL."""
    targets = [
        Target(
            job=t["labels"].get("job", "?"),
            url=t.get("scrapeUrl", ""),
            health=t.get("health", "unknown"),
            error=t.get("lastError") or None,
        )
        for t in data.get("activeTargets", [])
    ]
    return sorted(targets, key=lambda t: (t.health == "up", t.job, t.url))


def read_view(base_url: str, timeout: float = 5) -> PrometheusView:
    """One read of the three endpoints; raises when Prometheus does not answer them."""

    def data(client: httpx.Client, path: str) -> dict[str, Any]:
        answer = client.get(path)
        answer.raise_for_status()
        return answer.json()["data"]

    with httpx.Client(base_url=base_url, timeout=timeout) as client:
        return PrometheusView(
            alerts=alerts_of(data(client, "/api/v1/alerts")),
            groups=groups_of(data(client, "/api/v1/rules")),
            targets=targets_of(data(client, "/api/v1/targets?state=active")),
        )
