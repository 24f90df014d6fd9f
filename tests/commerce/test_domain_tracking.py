"""What a carrier's tracking event does to a shipped order, without I/O."""

import datetime as dt

import pytest

from domain.orders import OrderStatus
from domain.tracking import (
    CarrierEvent,
    CarrierEventKind,
    Ignore,
    Track,
    TrackedOrder,
    on_carrier_event,
)

S = OrderStatus
K = CarrierEventKind
NOON = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
LATER = NOON + dt.timedelta(hours=3)


def event(kind: CarrierEventKind, at: dt.datetime, estimate: dt.date | None = None) -> CarrierEvent:
    return CarrierEvent("evt-1", "TRK1", kind, at, estimate)


def order(status: OrderStatus, last_event_at: dt.datetime | None = None) -> TrackedOrder:
    return TrackedOrder("order-1", status, last_event_at)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (S.SHIPPED, K.IN_TRANSIT),
        (S.SHIPPED, K.DELIVERED),
        (S.IN_TRANSIT, K.OUT_FOR_DELIVERY),
        (S.OUT_FOR_DELIVERY, K.EXCEPTION),
        (S.EXCEPTION, K.DELIVERED),
    ],
)
def test_a_newer_event_moves_the_order_ahead(status: OrderStatus, kind: CarrierEventKind) -> None:
    decision = on_carrier_event(order(status, NOON), event(kind, LATER))
    assert decision == Track(kind.order_status, LATER, None)


def test_the_first_event_applies_and_carries_the_new_estimate() -> None:
    estimate = dt.date(2026, 12, 6)
    decision = on_carrier_event(order(S.SHIPPED), event(K.IN_TRANSIT, NOON, estimate))
    assert decision == Track(S.IN_TRANSIT, NOON, estimate)


def test_a_repeated_scan_of_the_same_status_updates_the_estimate_only() -> None:
    estimate = dt.date(2026, 12, 7)
    decision = on_carrier_event(order(S.IN_TRANSIT, NOON), event(K.IN_TRANSIT, LATER, estimate))
    assert decision == Track(S.IN_TRANSIT, LATER, estimate)


@pytest.mark.parametrize("at", [NOON, NOON - dt.timedelta(seconds=1)])
def test_an_event_not_newer_than_the_last_applied_is_ignored(at: dt.datetime) -> None:
    """Out of order: DELIVERED (noon) applied, then IN_TRANSIT from the morning arrives."""
    decision = on_carrier_event(order(S.DELIVERED, NOON), event(K.IN_TRANSIT, at))
    assert isinstance(decision, Ignore) and "older" in decision.reason


def test_an_older_event_does_not_even_change_the_estimate() -> None:
    late = event(K.OUT_FOR_DELIVERY, NOON - dt.timedelta(hours=1), dt.date(2026, 12, 1))
    assert isinstance(on_carrier_event(order(S.OUT_FOR_DELIVERY, NOON), late), Ignore)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (S.DELIVERED, K.IN_TRANSIT),
        (S.DELIVERED, K.EXCEPTION),
        (S.OUT_FOR_DELIVERY, K.IN_TRANSIT),
        (S.EXCEPTION, K.OUT_FOR_DELIVERY),
        (S.CONFIRMED, K.IN_TRANSIT),
        (S.EXPIRED, K.DELIVERED),
    ],
)
def test_a_status_behind_the_order_never_moves_it_back(
    status: OrderStatus, kind: CarrierEventKind
) -> None:
    """Even with a newer timestamp (a carrier's clock, a mislabelled scan)."""
    decision = on_carrier_event(order(status, NOON), event(kind, LATER))
    assert isinstance(decision, Ignore) and "cannot become" in decision.reason


def test_every_event_kind_names_an_order_status() -> None:
    assert {kind.order_status for kind in K} <= set(S)
