"""Prometheus gauges of the dashboard, computed from the sampler's latest results at scrape time.

A custom collector instead of Gauge objects: series of partitions and groups that disappeared
disappear too, with no bookkeeping.
"""

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from adapters.metric_names import (
    CDC_FRESHNESS,
    CONSUMER_COMMIT_AGE,
    CONSUMER_LAG,
    LOW_STOCK,
    STOCK_DRIFT,
    STOCK_VIOLATIONS,
    Metric,
)
from ops.clock import now_ms
from ops.dashboard.sampler import Sampler


def gauge(metric: Metric) -> GaugeMetricFamily:
    return GaugeMetricFamily(metric.name, metric.help, labels=metric.labels)


class SamplerCollector(Collector):
    def __init__(self, sampler: Sampler) -> None:
        self.sampler = sampler

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self._kafka(now_ms())
        yield from self._stock()

    def _kafka(self, now: int) -> Iterator[GaugeMetricFamily]:
        lag, age, fresh = gauge(CONSUMER_LAG), gauge(CONSUMER_COMMIT_AGE), gauge(CDC_FRESHNESS)
        for row in self.sampler.lag:
            labels = [row.group, row.topic, str(row.partition)]
            lag.add_metric(labels, row.lag)
            commit_age = row.commit_age_seconds(now)
            if commit_age is not None:
                age.add_metric(labels, commit_age)
        for topic in self.sampler.freshness:
            topic_age = topic.age_seconds(now)
            if topic_age is not None:
                fresh.add_metric([topic.topic], topic_age)
        yield from (lag, age, fresh)

    def _stock(self) -> Iterator[GaugeMetricFamily]:
        report = self.sampler.stock
        if report is None:
            return
        drift, violations, low = gauge(STOCK_DRIFT), gauge(STOCK_VIOLATIONS), gauge(LOW_STOCK)
        for store, count in report.drift_counts().items():
            drift.add_metric([store], count)
        violations.add_metric(["unconserved"], len(report.unconserved))
        violations.add_metric(["sold_and_released"], len(report.mixed_orders))
        threshold = self.sampler.settings.low_stock_threshold
        low.add_metric([], sum(row.available <= threshold for row in report.rows))
        yield from (drift, violations, low)


def registry_for(sampler: Sampler) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SamplerCollector(sampler))
    return registry
