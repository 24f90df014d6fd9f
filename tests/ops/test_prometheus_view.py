"""What the dashboard makes of Prometheus' answers (``/api/v1/alerts``, ``/rules``,
``/targets``, as Prometheus 3.1 shapes them): the order an operator reads them in, and when a
rule group or a target is a problem."""

from ops.prometheus_view import NEVER, alerts_of, groups_of, targets_of


def alert(name: str, state: str, severity: str, **labels: str) -> dict:
    return {
        "labels": {"alertname": name, "severity": severity, **labels},
        "annotations": {"summary": f"{name} summary"},
        "state": state,
        "activeAt": "2026-12-08T00:25:00Z",
        "value": "3e+00",
    }


def test_firing_alerts_come_first_the_critical_before_the_warnings() -> None:
    data = {
        "alerts": [
            alert("StockDrift", "pending", "warning", store="redis"),
            alert("DeadLettersParked", "firing", "warning", topic="shop.dead-letters"),
            alert("CdcStalled", "firing", "critical"),
        ]
    }
    alerts = alerts_of(data)
    assert [(a.name, a.state) for a in alerts] == [
        ("CdcStalled", "firing"),
        ("DeadLettersParked", "firing"),
        ("StockDrift", "pending"),
    ]
    assert alerts[2].labels == {"store": "redis"} and alerts[2].summary == "StockDrift summary"
    assert alerts_of({"alerts": []}) == []


def test_a_rule_group_is_ok_once_evaluated_with_every_rule_healthy() -> None:
    rules = [{"name": "ScrapeTargetDown", "health": "ok"}, {"name": "StockDrift", "health": "ok"}]
    broken = [*rules, {"name": "Bad", "health": "err", "lastError": "vector contains metrics"}]
    data = {
        "groups": [
            {"name": "shopstream", "file": "/x/alerts.yml", "rules": rules, "lastEvaluation": "t"},
            {"name": "new", "file": "f", "rules": rules, "lastEvaluation": NEVER},
            {"name": "broken", "file": "f", "rules": broken, "lastEvaluation": "t"},
        ]
    }
    shopstream, new, broken_group = groups_of(data)
    assert shopstream.ok and shopstream.rules == 2 and shopstream.last_evaluation == "t"
    assert not new.ok and new.last_evaluation is None
    assert not broken_group.ok and broken_group.unhealthy == ["Bad: vector contains metrics"]


def test_targets_down_come_first_with_their_error() -> None:
    data = {
        "activeTargets": [
            {
                "labels": {"job": "api"},
                "scrapeUrl": "http://a/metrics",
                "health": "up",
                "lastError": "",
            },
            {
                "labels": {"job": "streams"},
                "scrapeUrl": "http://s/metrics",
                "health": "down",
                "lastError": "connection refused",
            },
        ]
    }
    down, up = targets_of(data)
    assert (down.job, down.health, down.error) == ("streams", "down", "connection refused")
    assert (up.job, up.error) == ("api", None)
