"""Payment -> order CONFIRMED while the catalog worker is buried in inventory changes.

Runs against the `make up` stack (both stream workers). First it times ``--orders`` paid
orders on a quiet pipeline (the baseline), then it touches every inventory row of the
seeded catalog in one statement (one CDC record per row, all for the catalog worker) and
times as many paid orders again while that backlog drains. With one worker for every agent
the second figure was minutes; with an orders worker of its own it should stay near the
baseline. The touch is undone at the end (stock unchanged).

    python -m bench.confirm_under_backlog --orders 20
"""

import argparse
import statistics
import time
from collections.abc import Callable

import psycopg

from adapters import inventory_store
from config import StreamsRole, get_settings
from harness.shopdb import ShopDB
from ops.lag import LagProbe
from ops.polling import wait_until
from streams.topics import INVENTORY

SEEDED = "prod_"


def confirm_latencies(
    db: ShopDB, orders: int, timeout: float, after_each: Callable[[], None] = lambda: None
) -> list[float]:
    """Seconds from the payment row's commit until the order reads CONFIRMED, per order."""
    user_id, _ = db.customer()
    took = []
    for _ in range(orders):
        after_each()
        order_id = db.checkout(user_id, {db.product(1): 1})
        db.pay(order_id, user_id, "SUCCEEDED")
        _, seconds = wait_until(
            lambda order_id=order_id: db.order_status(order_id) == "CONFIRMED",
            timeout=timeout,
            what=f"order {order_id} CONFIRMED",
        )
        took.append(seconds)
    return took


def touch_inventory(dsn: str, delta: int) -> int:
    """One UPDATE over the seeded rows (stock moves by ``delta``): one CDC record per row."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        cursor = conn.execute(inventory_store.RESTOCK_MATCHING, {"delta": delta, "prefix": SEEDED})
        return cursor.rowcount


def catalog_lag(probe: LagProbe, topic: str) -> int:
    """Records of ``topic`` the probed group (the catalog worker's) has not committed yet."""
    return sum(row.lag for row in probe.measure() if row.topic == topic)


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return f"{name:<34} n={len(ms):<3} median={statistics.median(ms):7.1f} ms  max={ms[-1]:7.1f} ms"


def main(args: argparse.Namespace) -> None:
    settings = get_settings()
    db = ShopDB(settings.postgres_dsn)
    quiet = confirm_latencies(db, args.orders, args.timeout)
    print(summary("quiet pipeline", quiet))
    probe = LagProbe(settings, [settings.streams_group(StreamsRole.CATALOG)])
    inventory = INVENTORY.name(settings)
    touched = touch_inventory(settings.postgres_dsn, 1)
    started = time.monotonic()
    lags: list[int] = []
    try:
        busy = confirm_latencies(
            db, args.orders, args.timeout, lambda: lags.append(catalog_lag(probe, inventory))
        )
        print(summary(f"{touched} inventory changes queued", busy))
        print(
            f"catalog worker lag while timing: max {max(lags)}, last {lags[-1]} records"
            f" ({time.monotonic() - started:.1f}s); busy/quiet median ratio:"
            f" {statistics.median(busy) / statistics.median(quiet):.2f}"
        )
    finally:
        probe.close()
        touch_inventory(settings.postgres_dsn, -1)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20, help="paid orders per phase")
    parser.add_argument("--timeout", type=float, default=300, help="give up on an order after")
    return parser.parse_args()


if __name__ == "__main__":
    main(parse_args())
