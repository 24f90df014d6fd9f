"""Pure rules of the ops tools: what counts as a drift, a violation, lag, freshness."""

import json

from domain.catalog import CatalogChange, latest_changes
from domain.inventory import StockLevel
from ops.audit import AuditReport, StockRow
from ops.dashboard.app import drifted_only, triage
from ops.freshness import RecordTimes, TopicFreshness, record_times
from ops.lag import PartitionLag, over_threshold


def row(pid: str, available: int, **copies: int | None) -> StockRow:
    return StockRow(StockLevel(pid, available, 1, 2, available + 3), copies)


def test_a_copy_that_differs_or_is_missing_is_a_drift() -> None:
    assert row("a", 5, redis=5, mongo=5, elasticsearch=5).drifted == []
    assert row("a", 5, redis=4, mongo=5, elasticsearch=None).drifted == ["redis", "elasticsearch"]


def test_uncataloged_products_are_compared_in_redis_only() -> None:
    product = row("a", 5, redis=5)
    assert not product.cataloged and product.drifted == []


def test_conservation_and_report_verdict() -> None:
    broken = StockRow(StockLevel("b", 5, 1, 1, stocked=9), {"redis": 5})
    report = AuditReport([row("a", 5, redis=5), broken], mixed_orders=[], seconds=0.1)
    assert report.unconserved == [broken] and not report.ok
    assert AuditReport([row("a", 5, redis=5)], ["order-1"], 0.1).ok is False
    assert AuditReport([row("a", 5, redis=5)], [], 0.1).ok is True


def test_report_counts_drifts_per_store() -> None:
    report = AuditReport(
        [row("a", 5, redis=1, mongo=5, elasticsearch=4), row("b", 5, redis=1)], [], 0
    )
    assert report.drift_counts() == {"redis": 2, "mongo": 0, "elasticsearch": 1}
    assert json.loads(json.dumps(report.as_json()))["drifts"][0]["product_id"] == "a"


def test_dashboard_can_list_the_drifted_only() -> None:
    ok, drifted = row("a", 50, redis=50), row("c", 50, redis=1)
    assert drifted_only(triage([ok, drifted], low_stock=5)) == [drifted]


def test_dashboard_lists_broken_then_low_stock_then_the_rest() -> None:
    ok, low, drifted = row("a", 50, redis=50), row("b", 2, redis=2), row("c", 50, redis=1)
    assert triage([ok, low, drifted], low_stock=5) == [drifted, low, ok]


def test_lag_and_threshold() -> None:
    rows = [
        PartitionLag("g", "t", 0, committed=10, end=15, last_commit_ms=1_000),
        PartitionLag("g", "t", 1, committed=7, end=7, last_commit_ms=None),
    ]
    assert [r.lag for r in rows] == [5, 0]
    assert rows[0].commit_age_seconds(now_ms=3_500) == 2.5
    assert rows[1].as_json(now_ms=3_500)["commit_age_seconds"] is None
    assert over_threshold(rows, 4) == rows[:1] and over_threshold(rows, 5) == []


def test_freshness_reads_debezium_times_and_tolerates_tombstones() -> None:
    envelope = json.dumps({"ts_ms": 2_000, "source": {"ts_ms": 1_700}, "op": "u"}).encode()
    assert record_times(envelope, record_ms=2_100) == RecordTimes(2_000, 1_700, 2_100, False)
    assert record_times(None, record_ms=9) == RecordTimes(9, None, 9, False)
    assert record_times(b'{"ts_ms": 5}', record_ms=9).captured_ms == 5  # a heartbeat
    fresh = TopicFreshness("t", records=3, captured_ms=2_000, committed_ms=1_700)
    assert fresh.capture_latency_ms == 300 and fresh.age_seconds(now_ms=4_000) == 2.0


def test_replay_keeps_the_highest_version_of_each_product() -> None:
    changes = [
        CatalogChange("a", 2, {}),
        CatalogChange("b", 1, {}),
        CatalogChange("a", 3, None),
        CatalogChange("a", 1, {}),
    ]
    assert latest_changes(changes) == [CatalogChange("a", 3, None), CatalogChange("b", 1, {})]
