"""The conservation of money (``domain.money.discrepancies``) on hand-written payment facts."""

from decimal import Decimal

import pytest

from domain.money import Discrepancy, Finding, PaymentFacts, discrepancies
from domain.orders import OrderStatus
from domain.payments import PaymentStatus

S, F, P, U = (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.PENDING,
              PaymentStatus.UNKNOWN)  # fmt: skip
TEN = Decimal("10.00")


def charge(
    order_status: OrderStatus,
    refund: PaymentStatus | None = None,
    order_id: str = "o1",
    payment_id: str = "p1",
    payment: PaymentStatus = S,
    refund_amount: Decimal | None = None,
) -> PaymentFacts:
    return PaymentFacts(
        order_id,
        order_status,
        payment_id,
        payment,
        TEN,
        refund,
        refund_amount if refund_amount is not None else (TEN if refund else None),
    )


@pytest.mark.parametrize(
    "status",
    ["CONFIRMED", "SHIPPED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "EXCEPTION", "DELIVERED"],
)
def test_a_charge_of_a_fulfilled_order_is_kept(status: str) -> None:
    assert discrepancies([charge(OrderStatus(status))]) == []


@pytest.mark.parametrize("status", ["CANCELLED", "EXPIRED", "PAYMENT_FAILED"])
def test_a_charge_of_an_ended_order_is_refunded_or_a_refundable_finding(status: str) -> None:
    ended = OrderStatus(status)
    assert discrepancies([charge(ended, refund=S)]) == []
    for unfinished in (None, P, U, F):
        [finding] = discrepancies([charge(ended, refund=unfinished)])
        assert finding == Finding(Discrepancy.UNREFUNDED_CHARGE, "o1", "p1", ended, TEN)
        assert finding.refundable


def test_a_charge_of_a_reserved_order_is_a_settlement_under_way_not_a_refund() -> None:
    [finding] = discrepancies([charge(OrderStatus.RESERVED)])
    assert finding.kind is Discrepancy.UNREFUNDED_CHARGE
    assert not finding.refundable


def test_two_charges_of_one_order_are_a_double_charge() -> None:
    found = discrepancies(
        [charge(OrderStatus.CONFIRMED, payment_id="p2"), charge(OrderStatus.CONFIRMED)]
    )
    assert [(f.kind, f.payment_id) for f in found] == [
        (Discrepancy.DOUBLE_CHARGE, "p1"),
        (Discrepancy.DOUBLE_CHARGE, "p2"),
    ]
    assert not any(f.refundable for f in found)


def test_one_charge_each_for_two_orders_is_fine() -> None:
    assert (
        discrepancies(
            [
                charge(OrderStatus.CONFIRMED),
                charge(OrderStatus.SHIPPED, order_id="o2", payment_id="p2"),
            ]
        )
        == []
    )


@pytest.mark.parametrize("payment", [F, P, U])
def test_a_refund_of_a_payment_that_did_not_succeed(payment: PaymentStatus) -> None:
    [finding] = discrepancies([charge(OrderStatus.CANCELLED, refund=S, payment=payment)])
    assert finding.kind is Discrepancy.REFUND_WITHOUT_CHARGE


def test_a_refund_of_more_than_was_charged() -> None:
    facts = charge(OrderStatus.CANCELLED, refund=S, refund_amount=Decimal("10.01"))
    assert [f.kind for f in discrepancies([facts])] == [Discrepancy.REFUND_OVER_CHARGE]


def test_money_given_back_while_the_order_is_still_fulfilled() -> None:
    [finding] = discrepancies([charge(OrderStatus.SHIPPED, refund=S)])
    assert finding.kind is Discrepancy.REFUNDED_BUT_FULFILLED
    assert discrepancies([charge(OrderStatus.SHIPPED, refund=F)]) == []
