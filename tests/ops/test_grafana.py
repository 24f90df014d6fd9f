"""The Grafana dashboard queries only metrics some process exports, with their real labels."""

import json

import pytest

from adapters.metric_names import ALL_METRICS
from config import PROJECT_ROOT
from tests.ops.promql import SERIES, foreign_labels, labels_in, series_in, unexported

DASHBOARD = json.loads((PROJECT_ROOT / "ops" / "grafana" / "shopstream.json").read_text())
EXPRESSIONS = [
    target["expr"]
    for panel in DASHBOARD["panels"]
    for target in panel.get("targets", [])
    if "expr" in target
]


def test_the_dashboard_has_queries() -> None:
    assert len(EXPRESSIONS) >= 10


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_every_query_names_exported_series_and_their_labels(expr: str) -> None:
    assert series_in(expr), f"no shopstream metric in {expr!r}"
    assert not unexported(expr), f"{unexported(expr)} are not exported (adapters/metric_names.py)"
    assert not foreign_labels(expr), f"{expr!r} uses labels {foreign_labels(expr)} of no series"


def test_every_exported_metric_is_on_the_dashboard() -> None:
    queried = {SERIES[n].name for expr in EXPRESSIONS for n in series_in(expr) if n in SERIES}
    assert queried == {m.name for m in ALL_METRICS}


def test_the_checks_see_names_and_labels() -> None:
    expr = 'sum by (le, foo) (rate(shopstream_x_bucket{bar=~"1.."}[5m]))'
    assert series_in(expr) == ["shopstream_x_bucket"]
    assert labels_in(expr) == {"le", "foo", "bar"}
    assert unexported(expr) == ["shopstream_x_bucket"]
    assert foreign_labels("max by (group, foo) (shopstream_consumer_lag)") == {"foo"}
