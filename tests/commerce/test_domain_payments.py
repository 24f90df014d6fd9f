"""Payment rules, without I/O."""

import uuid
from decimal import Decimal

import pytest

from domain.orders import OrderStatus
from domain.payments import (
    AmountMismatch,
    IdempotencyKeyReused,
    OrderNotPayable,
    PayableOrder,
    PaymentStatus,
    client_status,
    ensure_payable,
    ensure_same_payment,
    to_minor_units,
)

RESERVED = PayableOrder(OrderStatus.RESERVED, Decimal("20.00"), "USD", False, False)


def test_a_reserved_order_may_be_paid_its_exact_total() -> None:
    ensure_payable(RESERVED, Decimal("20"))


@pytest.mark.parametrize(
    "order",
    [
        PayableOrder(OrderStatus.CONFIRMED, Decimal("20.00"), "USD", False, False),
        PayableOrder(OrderStatus.EXPIRED, Decimal("20.00"), "USD", False, False),
        PayableOrder(OrderStatus.RESERVED, Decimal("20.00"), "USD", True, False),
        PayableOrder(OrderStatus.RESERVED, Decimal("20.00"), "USD", False, True),
    ],
)
def test_orders_past_their_payment_window_refuse_payment(order: PayableOrder) -> None:
    with pytest.raises(OrderNotPayable):
        ensure_payable(order, Decimal("20.00"))


def test_a_different_amount_is_refused() -> None:
    with pytest.raises(AmountMismatch) as refused:
        ensure_payable(RESERVED, Decimal("19.99"))
    assert refused.value.details == {"order_total": 20.0}


def test_a_retry_must_be_the_same_payment() -> None:
    order = uuid.uuid4()
    ensure_same_payment(order, "4242", order, "4242424242424242")
    with pytest.raises(IdempotencyKeyReused):
        ensure_same_payment(order, "4242", uuid.uuid4(), "4242424242424242")
    with pytest.raises(IdempotencyKeyReused):
        ensure_same_payment(order, "0002", order, "4242424242424242")


def test_statuses_in_the_design_vocabulary() -> None:
    assert client_status(PaymentStatus.SUCCEEDED) == "success"
    assert client_status(PaymentStatus.FAILED) == "failed"
    assert client_status(PaymentStatus.UNKNOWN) == client_status(PaymentStatus.PENDING) == "pending"
    assert {s for s in PaymentStatus if s.settled} == {
        PaymentStatus.SUCCEEDED,
        PaymentStatus.FAILED,
    }


def test_minor_units() -> None:
    assert to_minor_units(Decimal("1999.98")) == 199998
