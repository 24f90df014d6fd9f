"""The Grafana dashboard queries only metrics some process exports, with their real labels."""

import json
import re

import pytest

from adapters.metric_names import ALL_METRICS, Metric
from config import PROJECT_ROOT

DASHBOARD = json.loads((PROJECT_ROOT / "ops" / "grafana" / "shopstream.json").read_text())
EXPRESSIONS = [
    target["expr"]
    for panel in DASHBOARD["panels"]
    for target in panel.get("targets", [])
    if "expr" in target
]
SERIES: dict[str, Metric] = {name: m for m in ALL_METRICS for name in m.series()}
PROMQL_LABELS = {"le"}  # the bucket bound every histogram series carries


def series_in(expr: str) -> list[str]:
    return [
        name
        for name in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr)
        if name.startswith("shopstream_")
    ]


def labels_in(expr: str) -> set[str]:
    grouped = {
        label.strip()
        for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr)
        for label in group.split(",")
        if label.strip()
    }
    matched = {
        name
        for matchers in re.findall(r"\{([^}]*)\}", expr)
        for name in re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers)
    }
    return grouped | matched


def test_the_dashboard_has_queries() -> None:
    assert len(EXPRESSIONS) >= 10


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_every_query_names_exported_series_and_their_labels(expr: str) -> None:
    names = series_in(expr)
    assert names, f"no shopstream metric in {expr!r}"
    unknown = [n for n in names if n not in SERIES]
    assert not unknown, f"{unknown} are not exported (adapters/metric_names.py)"
    allowed = PROMQL_LABELS.union(*(SERIES[n].labels for n in names))
    assert labels_in(expr) <= allowed, f"{expr!r} uses labels outside {sorted(allowed)}"


def test_every_exported_metric_is_on_the_dashboard() -> None:
    queried = {SERIES[n].name for expr in EXPRESSIONS for n in series_in(expr) if n in SERIES}
    assert queried == {m.name for m in ALL_METRICS}


def test_the_checks_see_names_and_labels() -> None:
    expr = 'sum by (le, foo) (rate(shopstream_x_bucket{bar=~"1.."}[5m]))'
    assert series_in(expr) == ["shopstream_x_bucket"]
    assert labels_in(expr) == {"le", "foo", "bar"}
