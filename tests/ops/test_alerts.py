"""The alert rules (ops/prometheus/alerts.yml) watch only what some process exports, with the
thresholds the CLI uses, and each fires in its promtool unit test.

Pure checks read the YAML; the promtool ones run Prometheus' own checker on the rules and
their unit tests (``promtool`` is built like an engine, so those are marked ``engines``).
"""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import PROJECT_ROOT, Settings
from streams.topics import heartbeat_topic
from tests.ops.promql import foreign_labels, series_in, unexported

RULES_DIR = PROJECT_ROOT / "ops" / "prometheus"
RULES: list[dict[str, Any]] = [
    rule
    for group in yaml.safe_load((RULES_DIR / "alerts.yml").read_text())["groups"]
    for rule in group["rules"]
]
BY_NAME = {rule["alert"]: rule for rule in RULES}
UNIT_TESTS = yaml.safe_load((RULES_DIR / "alerts_test.yml").read_text())
CASES = [case for test in UNIT_TESTS["tests"] for case in test["alert_rule_test"]]


def test_the_rules_cover_the_pipelines_failures() -> None:
    assert set(BY_NAME) >= {
        "ScrapeTargetDown",
        "ConsumerLagHigh",
        "ConsumerLagSecondsHigh",
        "CdcStalled",
        "ConnectorNotRunning",
        "ReplicationSlotWalHigh",
        "StockDrift",
    }


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_every_rule_names_exported_series_and_their_labels(name: str) -> None:
    expr = BY_NAME[name]["expr"]
    prometheus_own = re.search(r"\bup\b", expr)  # a scrape's own series
    assert series_in(expr) or prometheus_own, f"{name}: no exported metric in {expr!r}"
    assert not unexported(expr), f"{name}: {unexported(expr)} are not exported"
    assert not foreign_labels(expr), f"{name}: labels {foreign_labels(expr)} of no series"
    assert BY_NAME[name]["labels"]["severity"] in ("warning", "critical")


def threshold(name: str) -> float:
    return float(BY_NAME[name]["expr"].rsplit(">", 1)[1])


def test_lag_alert_uses_the_clis_threshold() -> None:
    """`shopctl lag` and the alert call the same lag too much."""
    default = Settings.model_fields["lag_alert_records"].default
    assert threshold("ConsumerLagHigh") == default


def test_cdc_alert_watches_the_debezium_heartbeat() -> None:
    expr = BY_NAME["CdcStalled"]["expr"]
    [pattern] = re.findall(r'topic=~"([^"]+)"', expr)
    assert re.fullmatch(pattern, heartbeat_topic(Settings(_env_file=None)))
    for connector in (PROJECT_ROOT / "connectors").glob("*.json"):
        beat_ms = json.loads(connector.read_text())["config"]["heartbeat.interval.ms"]
        assert int(beat_ms) / 1000 < threshold("CdcStalled"), connector.name


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_every_rule_has_a_firing_and_a_quiet_unit_test(name: str) -> None:
    cases = [case for case in CASES if case["alertname"] == name]
    assert any(case["exp_alerts"] for case in cases), f"{name} never fires in alerts_test.yml"
    assert any(not case["exp_alerts"] for case in cases), f"{name} is never quiet there"


def promtool_run(promtool: Path, *args: str) -> None:
    result = subprocess.run(
        [str(promtool), *args], cwd=RULES_DIR, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_loads_the_config_and_its_rules(promtool: Path) -> None:
    promtool_run(promtool, "check", "config", "prometheus.yml")
    promtool_run(promtool, "check", "rules", "alerts.yml")


def test_each_alert_fires_on_its_series(promtool: Path) -> None:
    promtool_run(promtool, "test", "rules", "alerts_test.yml")
