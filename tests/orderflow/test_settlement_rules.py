"""The pure rules of domain.settlement: what a payment or an expiry does to an order."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.inventory import Hold, ReservationStatus, StockMove, net_moves
from domain.orders import OrderStatus
from domain.payments import PaymentStatus
from domain.settlement import (
    NoChange,
    OrderState,
    RefundRequired,
    Settle,
    on_expiry,
    on_payment,
)

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def state(
    status: OrderStatus = OrderStatus.RESERVED,
    live_payment: bool = False,
    expires_at: datetime = NOW - timedelta(seconds=1),
) -> OrderState:
    holds = (Hold("a", 2, expires_at), Hold("b", 1, expires_at))
    return OrderState("o1", status, holds, live_payment)


def test_success_sells_every_hold() -> None:
    assert on_payment(state(live_payment=True), PaymentStatus.SUCCEEDED) == Settle(
        OrderStatus.CONFIRMED,
        ReservationStatus.SOLD,
        (StockMove("a", 0, -2, 2), StockMove("b", 0, -1, 1)),
    )


def test_failure_releases_every_hold_and_gives_the_discount_back() -> None:
    assert on_payment(state(), PaymentStatus.FAILED) == Settle(
        OrderStatus.PAYMENT_FAILED,
        ReservationStatus.RELEASED,
        (StockMove("a", 2, -2, 0), StockMove("b", 1, -1, 0)),
        gives_back_discount=True,
    )


@pytest.mark.parametrize("payment", [PaymentStatus.PENDING, PaymentStatus.UNKNOWN])
def test_unsettled_payment_changes_nothing(payment: PaymentStatus) -> None:
    assert isinstance(on_payment(state(), payment), NoChange)


@pytest.mark.parametrize("status", [OrderStatus.EXPIRED, OrderStatus.PAYMENT_FAILED])
def test_success_after_release_requires_a_refund(status: OrderStatus) -> None:
    assert on_payment(state(status), PaymentStatus.SUCCEEDED) == RefundRequired(status)


@pytest.mark.parametrize(
    "status", [OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED]
)
def test_repeated_success_changes_nothing(status: OrderStatus) -> None:
    assert isinstance(on_payment(state(status), PaymentStatus.SUCCEEDED), NoChange)


@pytest.mark.parametrize("status", [OrderStatus.CONFIRMED, OrderStatus.EXPIRED])
def test_late_failure_changes_nothing(status: OrderStatus) -> None:
    assert isinstance(on_payment(state(status), PaymentStatus.FAILED), NoChange)


def test_failure_waits_for_another_attempt_in_flight() -> None:
    assert isinstance(on_payment(state(live_payment=True), PaymentStatus.FAILED), NoChange)


def test_expiry_releases_unpaid_overdue_holds() -> None:
    decision = on_expiry(state(), NOW)
    assert isinstance(decision, Settle)
    assert decision.order_status is OrderStatus.EXPIRED
    assert decision.holds_become is ReservationStatus.RELEASED
    assert decision.gives_back_discount


@pytest.mark.parametrize(
    "order",
    [
        state(live_payment=True),
        state(expires_at=NOW),
        state(OrderStatus.CONFIRMED),
        OrderState("o1", OrderStatus.RESERVED, (), False),
    ],
    ids=["payment in flight", "not yet due", "already confirmed", "no holds"],
)
def test_expiry_leaves_alone(order: OrderState) -> None:
    assert isinstance(on_expiry(order, NOW), NoChange)


def test_every_move_conserves_stock() -> None:
    for decision in (
        on_payment(state(), PaymentStatus.SUCCEEDED),
        on_payment(state(), PaymentStatus.FAILED),
        on_expiry(state(), NOW),
    ):
        assert isinstance(decision, Settle)
        assert all(m.conserves and m.stocked == 0 for m in decision.moves)


def test_net_moves_sum_per_product_in_product_order() -> None:
    sale = on_payment(state(), PaymentStatus.SUCCEEDED)
    refund = on_payment(state(), PaymentStatus.FAILED)
    only_b = Settle(OrderStatus.EXPIRED, ReservationStatus.RELEASED, (StockMove("b", 4, -4, 0),))
    moves = [m for settle in (only_b, sale, refund) for m in settle.moves]
    assert net_moves(moves) == [StockMove("a", 2, -4, 2), StockMove("b", 5, -6, 1)]
