"""The order lifecycle, without I/O."""

import datetime as dt
import uuid

import pytest

from domain.orders import (
    ALLOWED_TRANSITIONS,
    InvalidTransition,
    OrderStatus,
    can_transition,
    is_final,
    is_legal_path,
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
        (S.SHIPPED, S.IN_TRANSIT),
        (S.SHIPPED, S.OUT_FOR_DELIVERY),
        (S.SHIPPED, S.EXCEPTION),
        (S.IN_TRANSIT, S.OUT_FOR_DELIVERY),
        (S.IN_TRANSIT, S.EXCEPTION),
        (S.IN_TRANSIT, S.DELIVERED),
        (S.OUT_FOR_DELIVERY, S.EXCEPTION),
        (S.OUT_FOR_DELIVERY, S.DELIVERED),
        (S.EXCEPTION, S.DELIVERED),
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
        (S.CONFIRMED, S.IN_TRANSIT),
        (S.IN_TRANSIT, S.SHIPPED),
        (S.OUT_FOR_DELIVERY, S.IN_TRANSIT),
        (S.EXCEPTION, S.IN_TRANSIT),
        (S.DELIVERED, S.IN_TRANSIT),
        (S.DELIVERED, S.EXCEPTION),
    ],
)
def test_other_moves_are_refused(current: OrderStatus, target: OrderStatus) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidTransition) as refused:
        transition(current, target)
    assert refused.value.code == "invalid_transition"
    assert refused.value.details == {"status": current, "target": target}


def test_final_statuses() -> None:
    assert {s for s in S if is_final(s)} == {S.PAYMENT_FAILED, S.EXPIRED, S.CANCELLED, S.DELIVERED}


def test_the_lifecycle_has_no_cycle() -> None:
    """The history keeps one row per status and "lies ahead" walks the graph: no loops."""

    def reaches_itself(start: OrderStatus, at: OrderStatus, seen: frozenset) -> bool:
        following = ALLOWED_TRANSITIONS.get(at, frozenset())
        return start in following or any(
            reaches_itself(start, nxt, seen | {at}) for nxt in following if nxt not in seen
        )

    assert not [s for s in S if reaches_itself(s, s, frozenset())]


def test_shipment_plan_is_stable_per_order() -> None:
    order_id = uuid.UUID("12345678-9abc-4def-8123-456789abcdef")
    plan = plan_shipment(order_id, dt.date(2026, 1, 20), transit_days=5)
    assert plan.tracking_number == "TRK123456789ABC"
    assert plan.estimated_delivery == dt.date(2026, 1, 25)
    assert plan_shipment(order_id, dt.date(2026, 1, 20), 5) == plan


@pytest.mark.parametrize(
    "path",
    [
        ["RESERVED"],
        ["RESERVED", "CONFIRMED"],
        ["RESERVED", "CANCELLED"],
        ["RESERVED", "CONFIRMED", "CANCELLED"],
        ["RESERVED", "CONFIRMED", "SHIPPED", "DELIVERED"],
        ["RESERVED", "CONFIRMED", "SHIPPED", "IN_TRANSIT", "EXCEPTION", "DELIVERED"],
    ],
)
def test_legal_histories(path: list[str]) -> None:
    assert is_legal_path([OrderStatus(s) for s in path])


@pytest.mark.parametrize(
    "path",
    [
        [],
        ["CONFIRMED"],
        ["RESERVED", "SHIPPED"],
        ["RESERVED", "CANCELLED", "CONFIRMED"],
        ["RESERVED", "EXPIRED", "CONFIRMED"],
        ["RESERVED", "CONFIRMED", "SHIPPED", "CANCELLED"],
        ["RESERVED", "PAYMENT_FAILED", "CANCELLED"],
        ["RESERVED", "CONFIRMED", "SHIPPED", "DELIVERED", "IN_TRANSIT"],
    ],
)
def test_illegal_histories(path: list[str]) -> None:
    assert not is_legal_path([OrderStatus(s) for s in path])
