"""End to end on the real stack: SQL writes -> Debezium -> Kafka -> stream worker -> Postgres,
Redis and SMTP. Orders are created the way checkout creates them; payments the way the payment
edge writes them. Nothing here calls an agent: effects must arrive through CDC."""

import json
import random

import psycopg
import pytest

from adapters.orders import STATUS_CHANGED_AT
from config import Settings, StreamsRole
from harness.kafka_log import end_offsets, produce_again, records_since, wait_consumed
from harness.shopdb import ShopDB
from ops.polling import wait_until
from streams.topics import ORDERS, PAYMENTS

pytestmark = pytest.mark.engines

WITHIN = 2.0  # seconds: the freshness the design promises for payment outcomes


def row_of(value: bytes | None) -> dict:
    """The row image of a Debezium record (after, or before for a delete)."""
    envelope = json.loads(value or b"{}")
    return envelope.get("after") or envelope.get("before") or {}


def test_payment_success_confirms_sells_records_and_emails(db: ShopDB, mailbox) -> None:
    user_id, email = db.customer()
    p1, p2 = db.product(5), db.product(5)
    order_id = db.checkout(user_id, {p1: 2, p2: 1})
    db.pay(order_id, user_id, "SUCCEEDED")
    _, latency = wait_until(
        lambda: db.order_status(order_id) == "CONFIRMED", timeout=WITHIN, what="order CONFIRMED"
    )
    print(f"payment SUCCEEDED -> order CONFIRMED in {latency * 1000:.0f} ms")
    assert db.holds(order_id) == {"SOLD"}
    assert db.stock(p1) == (3, 0, 2, 5) and db.stock(p2) == (4, 0, 1, 5)
    wait_until(
        lambda: db.history(order_id) == ["RESERVED", "CONFIRMED"], timeout=WITHIN, what="history"
    )
    [message], _ = wait_until(lambda: mailbox(email), timeout=WITHIN, what="confirmation email")
    assert message["Subject"] == f"Order {order_id[:8]} confirmed"
    assert db.notifications(order_id) == {"CONFIRMED"}


def test_declined_payment_releases(db: ShopDB) -> None:
    user_id, _ = db.customer()
    product = db.product(4)
    order_id = db.checkout(user_id, {product: 3})
    db.pay(order_id, user_id, "FAILED")
    wait_until(
        lambda: db.order_status(order_id) == "PAYMENT_FAILED", timeout=WITHIN, what="PAYMENT_FAILED"
    )
    assert db.holds(order_id) == {"RELEASED"}
    assert db.stock(product) == (4, 0, 0, 4)


def test_unpaid_order_expires_and_releases(db: ShopDB, settings: Settings) -> None:
    user_id, _ = db.customer()
    product = db.product(2)
    order_id = db.checkout(user_id, {product: 2}, hold_seconds=2)
    assert db.stock(product) == (0, 2, 0, 2)
    deadline = 2 + settings.reservation_expiry_interval_seconds + WITHIN
    _, took = wait_until(
        lambda: db.order_status(order_id) == "EXPIRED", timeout=deadline, what="EXPIRED"
    )
    print(f"2 s hold -> order EXPIRED after {took:.1f} s")
    assert db.holds(order_id) == {"RELEASED"}
    assert db.stock(product) == (2, 0, 0, 2)
    wait_until(
        lambda: db.history(order_id) == ["RESERVED", "EXPIRED"], timeout=WITHIN, what="history"
    )


def test_orders_with_a_payment_in_flight_stay_and_do_not_starve_the_sweep(
    db: ShopDB, settings: Settings
) -> None:
    """More overdue orders with a live payment than one sweep batch holds, then an unpaid one."""
    user_id, _ = db.customer()
    product = db.product(settings.reservation_expiry_batch + 1)
    in_flight = []
    for _ in range(settings.reservation_expiry_batch + 1):
        in_flight.append(db.checkout(user_id, {product: 1}, hold_seconds=0.2))
        db.pay(in_flight[-1], user_id, "PENDING")
    unpaid = db.checkout(user_id, {db.product(1): 1}, hold_seconds=0.2)
    wait_until(
        lambda: db.order_status(unpaid) == "EXPIRED",
        timeout=0.2 + settings.reservation_expiry_interval_seconds + WITHIN,
        what="unpaid order EXPIRED",
    )
    assert db.statuses(in_flight) == {"RESERVED"}
    assert db.stock(product)[:3] == (0, len(in_flight), 0)


def test_redelivered_cdc_records_change_nothing(db: ShopDB, pipeline: Settings, mailbox) -> None:
    start = end_offsets(pipeline, [ORDERS.name(pipeline), PAYMENTS.name(pipeline)])
    user_id, email = db.customer()
    product = db.product(6)
    paid, declined = db.checkout(user_id, {product: 2}), db.checkout(user_id, {product: 1})
    db.pay(paid, user_id, "SUCCEEDED")
    db.pay(declined, user_id, "FAILED")
    orders = [paid, declined]
    wait_until(lambda: len(mailbox(email)) == 1, timeout=WITHIN, what="confirmation email")
    wait_until(lambda: all(len(db.history(o)) == 2 for o in orders), timeout=WITHIN, what="history")
    before = db.snapshot(orders, [product])

    ours = [r for r in records_since(pipeline, start) if row_of(r.value).get("order_id") in orders]
    assert len(ours) >= 6  # per order: created, settled; per payment: created
    written = produce_again(pipeline, ours + ours)
    wait_consumed(pipeline, pipeline.streams_group(StreamsRole.ORDERS), written)

    assert db.snapshot(orders, [product]) == before
    assert len(mailbox(email)) == 1
    assert db.stock(product) == (4, 0, 2, 6)


def test_mixed_run_conserves_stock(db: ShopDB, settings: Settings) -> None:
    """Random orders over a few products, each paid, declined, left pending or left to expire."""
    rng = random.Random(4)
    stocked = 1000
    products = [db.product(stocked) for _ in range(5)]
    outcomes = {"SUCCEEDED": [], "FAILED": [], "PENDING": [], None: []}
    for _ in range(500):
        user_id, _ = db.customer()
        lines = {p: rng.randint(1, 3) for p in rng.sample(products, rng.randint(1, 3))}
        outcome = rng.choice(list(outcomes))
        order_id = db.checkout(user_id, lines, hold_seconds=2 if outcome is None else 600)
        if outcome:
            db.pay(order_id, user_id, outcome)
        outcomes[outcome].append(order_id)
    expected = {"SUCCEEDED": "CONFIRMED", "FAILED": "PAYMENT_FAILED", None: "EXPIRED"}
    for outcome, status in expected.items():
        wait_until(
            lambda o=outcome, s=status: db.statuses(outcomes[o]) == {s},
            timeout=2 + settings.reservation_expiry_interval_seconds + 10,
            what=f"every {outcome or 'unpaid'} order {status}",
        )
    assert db.statuses(outcomes["PENDING"]) == {"RESERVED"}
    every_order = [o for placed in outcomes.values() for o in placed]
    assert db.unconserved(products) == []
    assert db.sold_and_released(every_order) == []
    sold = sum(db.stock(p)[2] for p in products)
    assert sold > 0 and all(db.stock(p)[3] == stocked for p in products)


def test_a_logical_decoding_message_does_not_stop_capture(db: ShopDB) -> None:
    """Anyone with a connection may write a message into the WAL (the dashboard's slot test
    does); the connector ignores them instead of writing a topic Connect may not create."""
    db.conn.execute("SELECT pg_logical_emit_message(true, 'anyone', 'hello')")
    user_id, _ = db.customer()
    order_id = db.checkout(user_id, {db.product(1): 1})
    db.pay(order_id, user_id, "SUCCEEDED")
    wait_until(
        lambda: db.order_status(order_id) == "CONFIRMED", timeout=WITHIN, what="order CONFIRMED"
    )


def test_a_later_status_gets_a_later_time_even_from_an_older_transaction(db: ShopDB) -> None:
    """Two changes of one order in turn: the second's transaction began before the first
    committed (it waited for the row). Its status must still carry the later time, or the
    history and the status stream put it first."""
    user_id, _ = db.customer()
    order_id = db.checkout(user_id, {db.product(1): 1})
    older = psycopg.connect(db.dsn, autocommit=False)
    try:
        older.execute("SELECT 1")  # its transaction, and now(), start here
        db.set_status(order_id, "CONFIRMED")  # another transaction commits first
        older.execute(
            f"UPDATE orders SET status = 'CANCELLED', updated_at = {STATUS_CHANGED_AT}"
            " WHERE order_id = %s",
            (order_id,),
        )
        older.commit()
    finally:
        older.close()
    wait_until(
        lambda: db.history(order_id) == ["RESERVED", "CONFIRMED", "CANCELLED"],
        timeout=WITHIN,
        what="the history in the order it happened",
    )
