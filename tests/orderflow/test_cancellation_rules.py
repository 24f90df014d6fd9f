"""What the customer's cancellation does to an order and its stock, as pure rules."""

from datetime import UTC, datetime

import pytest

from domain.inventory import Hold, ReservationStatus, StockLevel, StockMove, net_moves
from domain.orders import OrderStatus
from domain.payments import PaymentStatus
from domain.settlement import (
    NoChange,
    NotCancellable,
    OrderState,
    RefundRequired,
    Settle,
    on_cancel,
    on_payment,
)

LATER = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
LINES = (Hold("a", 2, LATER), Hold("b", 1, LATER))


def reserved(live_payment: bool = False) -> OrderState:
    return OrderState("o1", OrderStatus.RESERVED, LINES, live_payment)


def confirmed() -> OrderState:
    return OrderState("o1", OrderStatus.CONFIRMED, (), False, sold=LINES)


def test_an_unpaid_order_releases_its_holds_and_discount() -> None:
    assert on_cancel(reserved()) == Settle(
        OrderStatus.CANCELLED,
        ReservationStatus.RELEASED,
        (StockMove("a", 2, -2, 0), StockMove("b", 1, -1, 0)),
        gives_back_discount=True,
    )


def test_a_paid_order_puts_its_units_back_on_sale_and_is_refunded() -> None:
    assert on_cancel(confirmed()) == Settle(
        OrderStatus.CANCELLED,
        ReservationStatus.RELEASED,
        (StockMove("a", 2, 0, -2), StockMove("b", 1, 0, -1)),
        gives_back_discount=True,
        holds_were=ReservationStatus.SOLD,
        refunds_payment=True,
    )


@pytest.mark.parametrize("state", [reserved(), confirmed()], ids=["reserved", "confirmed"])
def test_cancelling_conserves_stock(state: OrderState) -> None:
    decision = on_cancel(state)
    assert isinstance(decision, Settle)
    assert all(move.conserves for move in decision.moves)
    level = StockLevel("a", available=3, reserved=2, sold=2, stocked=7)
    [move] = [m for m in net_moves(decision.moves) if m.product_id == "a"]
    after = level.apply(move)
    assert after.conserved and after.available == 5


def test_cancelling_twice_changes_nothing() -> None:
    cancelled = OrderState("o1", OrderStatus.CANCELLED, (), False)
    assert isinstance(on_cancel(cancelled), NoChange)


def test_an_order_whose_payment_is_in_progress_cannot_be_cancelled_yet() -> None:
    """The money may be taken any moment: the payment's outcome decides first."""
    with pytest.raises(NotCancellable) as refused:
        on_cancel(reserved(live_payment=True))
    assert "payment is in progress" in refused.value.message


@pytest.mark.parametrize(
    ("status", "why"),
    [
        (OrderStatus.SHIPPED, "shipped"),
        (OrderStatus.IN_TRANSIT, "shipped"),
        (OrderStatus.OUT_FOR_DELIVERY, "shipped"),
        (OrderStatus.EXCEPTION, "shipped"),
        (OrderStatus.DELIVERED, "shipped"),
        (OrderStatus.EXPIRED, "ended"),
        (OrderStatus.PAYMENT_FAILED, "ended"),
    ],
)
def test_a_shipped_or_ended_order_cannot_be_cancelled(status: OrderStatus, why: str) -> None:
    with pytest.raises(NotCancellable) as refused:
        on_cancel(OrderState("o1", status, (), False))
    assert refused.value.code == "not_cancellable"
    assert refused.value.details == {"status": status}
    assert why in refused.value.message


def test_a_late_payment_success_for_a_cancelled_order_is_a_refund_to_make() -> None:
    cancelled = OrderState("o1", OrderStatus.CANCELLED, (), True)
    assert on_payment(cancelled, PaymentStatus.SUCCEEDED) == RefundRequired(OrderStatus.CANCELLED)
