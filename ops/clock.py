"""Wall-clock milliseconds, the unit Kafka and Debezium timestamps use."""

import time


def now_ms() -> int:
    return int(time.time() * 1000)


def seconds_since(ms: int | None, now: int) -> float | None:
    """Age of a timestamp in seconds (never negative across small clock skews); None stays."""
    return None if ms is None else max(0.0, (now - ms) / 1e3)
