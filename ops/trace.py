"""``shopctl trace ORDER_ID``: one order's timeline across the processes that touched it.

Each step leaves a mark somewhere: the rows in Postgres (the order, its payment attempts,
status history, notifications, carrier events and refunds), the CDC records of the order and
its payments in Kafka (commit time and capture time), and the JSON log lines of the
storefront and the stream workers that name the order or one of the requests that wrote its
rows (``config.logs``).
Gathering is bounded: Kafka is read from a little before the order was created, for a few
seconds at most; log files are scanned line by line with a substring test before parsing.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from kafka import TopicPartition
from psycopg.rows import dict_row

from config import Settings
from ops.kafka_read import open_reader, read_spans
from streams.topics import ORDERS, PAYMENTS

KAFKA_READ_SECONDS = 10.0
KAFKA_LOOKBACK = timedelta(seconds=5)
"""Records are read from this long before the order's creation: clocks of one machine."""


class OrderUnknown(LookupError):
    """No order with that id in Postgres."""


@dataclass(frozen=True, order=True)
class Step:
    at: datetime
    source: str  # where the mark was found: "postgres", "kafka <topic>", "log <process>"
    what: str

    def as_json(self) -> dict:
        return {"at": self.at.isoformat(), "source": self.source, "what": self.what}


@dataclass(frozen=True)
class OrderRows:
    """What Postgres holds about an order (dict rows, as psycopg's dict_row reads them)."""

    order: dict
    payments: Sequence[dict]
    history: Sequence[dict]
    notices: Sequence[dict]
    carrier_events: Sequence[dict] = ()
    refunds: Sequence[dict] = ()

    @property
    def request_ids(self) -> set[str]:
        return {r["request_id"] for r in (self.order, *self.payments) if r.get("request_id")}


def row_steps(rows: OrderRows) -> list[Step]:
    order = rows.order
    steps = [
        Step(
            order["created_at"],
            "postgres",
            f"order row committed ({order['total_amount']} {order['currency']},"
            f" request {order.get('request_id') or '-'})",
        )
    ]
    for p in rows.payments:
        steps.append(
            Step(p["created_at"], "postgres", f"payment {p['payment_id']} started ({p['amount']})")
        )
        if p["updated_at"] != p["created_at"]:
            steps.append(
                Step(p["updated_at"], "postgres", f"payment {p['payment_id']} {p['status']}")
            )
    steps += [
        Step(h["changed_at"], "postgres", f"status history: {h['status']} (by {h['source']})")
        for h in rows.history
    ]
    steps += [
        Step(n["sent_at"], "postgres", f"notification {n['kind']} claimed for {n['recipient']}")
        for n in rows.notices
    ]
    steps += [
        Step(
            e["received_at"],
            "postgres",
            f"carrier event {e['event_id']} {e['kind']} (at {e['occurred_at']:%H:%M:%S}):"
            f" {e['outcome']}",
        )
        for e in rows.carrier_events
    ]
    for r in rows.refunds:
        steps.append(Step(r["created_at"], "postgres", f"refund {r['refund_id']} ({r['amount']})"))
        if r["updated_at"] != r["created_at"]:
            steps.append(
                Step(r["updated_at"], "postgres", f"refund {r['refund_id']} {r['status']}")
            )
    return steps


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def cdc_step(topic: str, value: bytes | None, record_ms: int) -> Step | None:
    """A Debezium change record as a step at its commit time, naming how late it was captured."""
    try:
        envelope = json.loads(value) if value else None
    except ValueError:
        return None
    if not isinstance(envelope, dict):
        return None
    after = envelope.get("after") or {}
    source = envelope.get("source") or {}
    committed = source.get("ts_ms") or record_ms
    captured = envelope.get("ts_ms") or record_ms
    status = after.get("status", "?") if isinstance(after, dict) else "?"
    return Step(
        _utc(committed),
        f"kafka {topic}",
        f"CDC op={envelope.get('op', '?')} status={status}, captured +{captured - committed} ms",
    )


def log_steps(lines: Iterable[str], order_id: str, request_ids: set[str]) -> Iterator[Step]:
    """The JSON log lines naming the order, or one of its requests. Other lines (a worker's
    banner, another order) are skipped; the substring test keeps big logs cheap to scan."""
    needles = (order_id, *request_ids)
    for line in lines:
        if not any(needle in line for needle in needles):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or "ts" not in entry:
            continue
        if entry.get("order_id") != order_id and entry.get("request_id") not in request_ids:
            continue
        try:
            at = datetime.fromisoformat(entry["ts"])
        except (TypeError, ValueError):
            continue
        yield Step(at, f"log {entry.get('process', '?')}", str(entry.get("message", "")))


def timeline(steps: Iterable[Step]) -> list[Step]:
    return sorted(steps)


def read_rows(settings: Settings, order_id: str) -> OrderRows:
    with psycopg.connect(settings.postgres_dsn, row_factory=dict_row) as conn:

        def rows(sql: str) -> list[dict]:
            return conn.execute(sql, (order_id,)).fetchall()

        found = rows("SELECT * FROM orders WHERE order_id = %s")
        if not found:
            raise OrderUnknown(order_id)
        return OrderRows(
            found[0],
            rows("SELECT * FROM payments WHERE order_id = %s ORDER BY created_at"),
            rows("SELECT * FROM order_status_history WHERE order_id = %s ORDER BY changed_at"),
            rows("SELECT * FROM notifications WHERE order_id = %s ORDER BY sent_at"),
            rows("SELECT * FROM carrier_events WHERE order_id = %s ORDER BY received_at"),
            rows("SELECT * FROM refunds WHERE order_id = %s ORDER BY created_at"),
        )


def read_cdc(settings: Settings, order_id: str, since: datetime) -> list[Step]:
    """The order's and its payments' change records: every partition from ``since`` to the
    end it had when reading began (payments are keyed by payment id, hence a value test)."""
    topics = [spec.name(settings) for spec in (ORDERS, PAYMENTS)]
    consumer = open_reader(settings)
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in consumer.partitions_for_topic(topic) or ()
        ]
        if not partitions:
            return []
        ends = consumer.end_offsets(partitions)
        starts = consumer.offsets_for_times(
            {tp: int((since - KAFKA_LOOKBACK).timestamp() * 1000) for tp in partitions}
        )
        spans = {tp: (start.offset, ends[tp]) for tp, start in starts.items() if start}
        needle = order_id.encode()
        return [
            step
            for r in read_spans(consumer, spans, KAFKA_READ_SECONDS)
            if r.value and needle in r.value
            if (step := cdc_step(r.topic, r.value, r.timestamp)) is not None
        ]
    finally:
        consumer.close()


def read_logs(paths: Iterable[Path], order_id: str, request_ids: set[str]) -> list[Step]:
    steps: list[Step] = []
    for path in paths:
        if path.is_file():
            with path.open(errors="replace") as lines:
                steps += log_steps(lines, order_id, request_ids)
    return steps


def trace(settings: Settings, order_id: str, logs: Iterable[Path]) -> list[Step]:
    rows = read_rows(settings, order_id)
    return timeline(
        [
            *row_steps(rows),
            *read_cdc(settings, order_id, rows.order["created_at"]),
            *read_logs(logs, order_id, rows.request_ids),
        ]
    )
