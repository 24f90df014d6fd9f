"""Prometheus metric names, declared once.

The API, the stream workers and the ops dashboard export them; ``ops/grafana/shopstream.json``
queries them. Keeping the names here lets a test check that every dashboard expression names a
metric some process really exports.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # counter | gauge | histogram
    labels: tuple[str, ...]
    help: str

    def series(self) -> tuple[str, ...]:
        """The names Prometheus stores: a histogram is three series, a counter one ``_total``."""
        if self.kind == "histogram":
            return tuple(f"{self.name}_{part}" for part in ("bucket", "sum", "count"))
        if self.kind == "counter":
            return (f"{self.name}_total",)
        return (self.name,)


# Storefront API (api/metrics.py; the gateway retries: adapters/payment_gateway.py)
HTTP_REQUEST_DURATION = Metric(
    "shopstream_http_request_duration_seconds",
    "histogram",
    ("method", "route", "status"),
    "Storefront request latency by route template, method and status",
)

SHED = Metric(
    "shopstream_requests_shed",
    "counter",
    (),
    "Storefront requests answered 503 at once because the process could not take them in time",
)

DEGRADED = Metric(
    "shopstream_degraded_requests",
    "counter",
    ("dependency", "feature"),
    "Requests served without a dependency (e.g. rate limit skipped while Redis is down)",
)
GATEWAY_RETRIES = Metric(
    "shopstream_gateway_retries",
    "counter",
    ("reason",),
    "Payment gateway calls repeated with the same idempotency key, by what the previous got",
)

# Stream workers (streams/metrics.py)
AGENT_EVENTS = Metric(
    "shopstream_agent_events",
    "counter",
    ("agent",),
    "Records an agent finished processing",
)
AGENT_EVENT_DURATION = Metric(
    "shopstream_agent_event_duration_seconds",
    "histogram",
    ("agent",),
    "Time an agent spent on one record",
)

# Ops dashboard (ops/dashboard/metrics.py), from its periodic samples
CONSUMER_LAG = Metric(
    "shopstream_consumer_lag",
    "gauge",
    ("group", "topic", "partition"),
    "Records between a consumer group's committed offset and the partition end",
)
CONSUMER_COMMIT_AGE = Metric(
    "shopstream_consumer_commit_age_seconds",
    "gauge",
    ("group", "topic", "partition"),
    "Seconds since the group last committed an offset on the partition",
)
CDC_FRESHNESS = Metric(
    "shopstream_cdc_freshness_seconds",
    "gauge",
    ("topic",),
    "Seconds since the newest change record of a CDC topic was captured",
)
STOCK_DRIFT = Metric(
    "shopstream_stock_drift_products",
    "gauge",
    ("store",),
    "Products whose derived stock (redis, mongo, elasticsearch) differs from Postgres",
)
STOCK_VIOLATIONS = Metric(
    "shopstream_stock_violations",
    "gauge",
    ("check",),
    "Postgres conservation violations (products, orders both sold and released)",
)
LOW_STOCK = Metric(
    "shopstream_low_stock_products",
    "gauge",
    (),
    "Products at or below the low-stock threshold",
)
CONSUMER_LAG_SECONDS = Metric(
    "shopstream_consumer_lag_seconds",
    "gauge",
    ("group",),
    "Age of the oldest record a consumer group has not consumed yet, max over its partitions",
)
CDC_COMMIT_TO_TOPIC = Metric(
    "shopstream_cdc_commit_to_topic_seconds",
    "histogram",
    ("topic",),
    "Time from a source commit to its change record on the topic (records the dashboard read)",
)
CONNECTOR_UP = Metric(
    "shopstream_connector_up",
    "gauge",
    ("connector", "task"),
    'A Kafka Connect connector (task="") or task: 1 running, 0 otherwise (failed, paused, missing)',
)
REPLICATION_SLOT_WAL = Metric(
    "shopstream_replication_slot_wal_bytes",
    "gauge",
    ("slot",),
    "WAL a Postgres replication slot holds back (current LSN minus the slot's restart LSN)",
)
MONEY_DISCREPANCIES = Metric(
    "shopstream_money_discrepancies",
    "gauge",
    ("kind",),
    "Charges and refunds breaking the conservation of money (domain.money: an unrefunded"
    " charge of an order that is not fulfilled, a double charge, a refund without charge ...)",
)
DEAD_LETTER_COUNT = Metric(
    "shopstream_dead_letters",
    "gauge",
    ("topic",),
    "Records kept on a dead-letter topic",
)

ALL_METRICS = (
    HTTP_REQUEST_DURATION,
    SHED,
    DEGRADED,
    GATEWAY_RETRIES,
    AGENT_EVENTS,
    AGENT_EVENT_DURATION,
    CONSUMER_LAG,
    CONSUMER_COMMIT_AGE,
    CDC_FRESHNESS,
    STOCK_DRIFT,
    STOCK_VIOLATIONS,
    LOW_STOCK,
    MONEY_DISCREPANCIES,
    CONSUMER_LAG_SECONDS,
    CDC_COMMIT_TO_TOPIC,
    CONNECTOR_UP,
    REPLICATION_SLOT_WAL,
    DEAD_LETTER_COUNT,
)
