"""The order lifecycle, without I/O."""

import datetime as dt
import uuid

import pytest

from domain.orders import (
    InvalidTransition,
    OrderStatus,
    can_transition,
    is_final,
    plan_shipment,
    transition,
)

S = OrderStatus


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.RESERVED, S.CONFIRMED),
        (S.RESERVED, S.PAYMENT_FAILED),
        (S.RESERVED, S.EXPIRED),
        (S.CONFIRMED, S.SHIPPED),
        (S.SHIPPED, S.DELIVERED),
    ],
)
def test_lifecycle_moves_are_allowed(current: OrderStatus, target: OrderStatus) -> None:
    assert transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.RESERVED, S.SHIPPED),
        (S.CONFIRMED, S.EXPIRED),
        (S.CONFIRMED, S.DELIVERED),
        (S.SHIPPED, S.SHIPPED),
        (S.PAYMENT_FAILED, S.CONFIRMED),
        (S.EXPIRED, S.CONFIRMED),
        (S.DELIVERED, S.SHIPPED),
    ],
)
def test_other_moves_are_refused(current: OrderStatus, target: OrderStatus) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidTransition) as refused:
        transition(current, target)
    assert refused.value.code == "invalid_transition"
    assert refused.value.details == {"status": current, "target": target}


def test_final_statuses() -> None:
    assert {s for s in S if is_final(s)} == {S.PAYMENT_FAILED, S.EXPIRED, S.DELIVERED}


def test_shipment_plan_is_stable_per_order() -> None:
    order_id = uuid.UUID("12345678-9abc-4def-8123-456789abcdef")
    plan = plan_shipment(order_id, dt.date(2026, 1, 20), transit_days=5)
    assert plan.tracking_number == "TRK123456789ABC"
    assert plan.estimated_delivery == dt.date(2026, 1, 25)
    assert plan_shipment(order_id, dt.date(2026, 1, 20), 5) == plan
