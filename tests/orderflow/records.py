"""Debezium-shaped CDC records, as the Postgres connector writes them (JSON, no schemas)."""

import itertools
import json
from datetime import UTC, datetime
from typing import Any

from faust.types import AgentT

_lsn = itertools.count(1000)


def envelope(table: str, row: dict[str, Any], op: str = "u") -> bytes:
    """``op`` c/r/u carries ``row`` as ``after``; d carries it as ``before``."""
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    return json.dumps(
        {
            "before": row if op == "d" else None,
            "after": None if op == "d" else row,
            "source": {
                "connector": "postgresql",
                "db": "shop",
                "schema": "public",
                "table": table,
                "lsn": next(_lsn),
                "ts_ms": now_ms,
            },
            "op": op,
            "ts_ms": now_ms,
        }
    ).encode()


def payment(payment_id: str, order_id: str, user_id: str, status: str, op: str = "u") -> bytes:
    row = {
        "payment_id": payment_id,
        "order_id": order_id,
        "user_id": user_id,
        "status": status,
        "amount": "25.00",
        "currency": "USD",
        "transaction_id": None,
        "failure_reason": None,
    }
    return envelope("payments", row, op)


def order(
    order_id: str,
    user_id: str,
    status: str,
    updated_at: datetime,
    op: str = "u",
    tracking_number: str | None = None,
) -> bytes:
    row = {
        "order_id": order_id,
        "user_id": user_id,
        "status": status,
        "total_amount": "25.00",
        "currency": "USD",
        "tracking_number": tracking_number,
        "estimated_delivery": 20500 if tracking_number else None,
        "updated_at": updated_at.isoformat().replace("+00:00", "Z"),
    }
    return envelope("orders", row, op)


async def deliver(agent: AgentT, *values: bytes | None) -> list:
    """Run ``agent`` in Faust's test context on these record values; what it yielded for each,
    once it has processed them all."""
    async with agent.test_context() as under_test:
        for value in values:
            await under_test.put(value)
        return list(under_test.results.values())
