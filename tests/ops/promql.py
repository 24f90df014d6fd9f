"""What a PromQL expression names: the shopstream series and the labels it groups or matches
by. The Grafana dashboard's and the alert rules' tests hold both to adapters/metric_names.py."""

import re

from adapters.metric_names import ALL_METRICS, Metric

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


def unexported(expr: str) -> list[str]:
    """The shopstream series of ``expr`` no process exports."""
    return [name for name in series_in(expr) if name not in SERIES]


def foreign_labels(expr: str) -> set[str]:
    """Labels ``expr`` uses that none of its series carries."""
    allowed = PROMQL_LABELS.union(*(SERIES[n].labels for n in series_in(expr) if n in SERIES))
    return labels_in(expr) - allowed
