"""Prometheus metrics of the dashboard, computed from the sampler's latest results at scrape time.

A custom collector instead of Gauge objects: series of partitions, groups, connectors and
slots that disappeared disappear too, with no bookkeeping.
"""

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from adapters.metric_names import (
    CDC_COMMIT_TO_TOPIC,
    CDC_FRESHNESS,
    CONNECTOR_UP,
    CONSUMER_COMMIT_AGE,
    CONSUMER_LAG,
    CONSUMER_LAG_SECONDS,
    DEAD_LETTER_COUNT,
    LOW_STOCK,
    MONEY_DISCREPANCIES,
    REPLICATION_SLOT_WAL,
    STOCK_DRIFT,
    STOCK_VIOLATIONS,
    Metric,
)
from ops.clock import now_ms
from ops.dashboard.sampler import Sampler
from ops.lag import group_lag_seconds

Family = GaugeMetricFamily | HistogramMetricFamily


def gauge(metric: Metric) -> GaugeMetricFamily:
    return GaugeMetricFamily(metric.name, metric.help, labels=metric.labels)


class SamplerCollector(Collector):
    def __init__(self, sampler: Sampler) -> None:
        self.sampler = sampler

    def collect(self) -> Iterator[Family]:
        now = now_ms()
        yield from self._kafka(now)
        yield from self._capture()
        yield from self._stock()

    def _kafka(self, now: int) -> Iterator[Family]:
        lag, age = gauge(CONSUMER_LAG), gauge(CONSUMER_COMMIT_AGE)
        for row in self.sampler.lag:
            labels = [row.group, row.topic, str(row.partition)]
            lag.add_metric(labels, row.lag)
            commit_age = row.commit_age_seconds(now)
            if commit_age is not None:
                age.add_metric(labels, commit_age)
        lag_seconds = gauge(CONSUMER_LAG_SECONDS)
        for group, seconds in group_lag_seconds(self.sampler.lag, now).items():
            lag_seconds.add_metric([group], seconds)
        fresh = gauge(CDC_FRESHNESS)
        delays = HistogramMetricFamily(
            CDC_COMMIT_TO_TOPIC.name,
            CDC_COMMIT_TO_TOPIC.help,
            labels=CDC_COMMIT_TO_TOPIC.labels,
        )
        for topic in self.sampler.freshness:
            topic_age = topic.age_seconds(now)
            if topic_age is not None:
                fresh.add_metric([topic.topic], topic_age)
            if topic.delays.count:
                delays.add_metric(
                    [topic.topic], topic.delays.cumulative(), sum_value=topic.delays.sum_seconds
                )
        dead = gauge(DEAD_LETTER_COUNT)
        if self.sampler.dead_letters is not None:
            for topic_name, count in self.sampler.dead_letters.counts.items():
                dead.add_metric([topic_name], count)
        yield from (lag, age, lag_seconds, fresh, delays, dead)

    def _capture(self) -> Iterator[Family]:
        up, wal = gauge(CONNECTOR_UP), gauge(REPLICATION_SLOT_WAL)
        for unit in self.sampler.connectors:
            up.add_metric([unit.connector, unit.task], 1 if unit.up else 0)
        for slot in self.sampler.slots:
            if slot.retained_bytes is not None:
                wal.add_metric([slot.name], slot.retained_bytes)
        yield from (up, wal)

    def _stock(self) -> Iterator[Family]:
        report = self.sampler.stock
        if report is None:
            return
        drift = gauge(STOCK_DRIFT)
        violations, low = gauge(STOCK_VIOLATIONS), gauge(LOW_STOCK)
        for store, count in report.drift_counts().items():
            drift.add_metric([store], count)
        violations.add_metric(["unconserved"], len(report.unconserved))
        violations.add_metric(["sold_and_released"], len(report.mixed_orders))
        threshold = self.sampler.settings.low_stock_threshold
        low.add_metric([], sum(row.available <= threshold for row in report.rows))
        yield from (drift, violations, low)
        if self.sampler.money is not None:
            money = gauge(MONEY_DISCREPANCIES)
            for kind, count in self.sampler.money.counts().items():
                money.add_metric([kind], count)
            yield money


def registry_for(sampler: Sampler) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SamplerCollector(sampler))
    return registry
