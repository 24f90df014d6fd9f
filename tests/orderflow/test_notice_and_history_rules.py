"""The pure rules of domain.notifications and domain.status_history."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.notifications import notice_for
from domain.orders import OrderStatus
from domain.status_history import change_of, lies_ahead
from streams.events import OrderRow

CHANGED = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def order(status: str, **extra: object) -> OrderRow:
    return OrderRow(
        order_id="0b7c4a1e-0000-4000-8000-000000000001",
        user_id="u1",
        status=status,
        total_amount=Decimal("42.50"),
        currency="USD",
        updated_at=CHANGED,
        **extra,
    )


def test_confirmed_order_gets_a_confirmation() -> None:
    notice = notice_for(order("CONFIRMED"))
    assert notice is not None
    assert notice.notification_id == "0b7c4a1e-0000-4000-8000-000000000001:CONFIRMED"
    assert "42.50 USD" in notice.body
    message = notice.email("shop <s@example.com>", "buyer@example.com")
    assert message["To"] == "buyer@example.com"
    assert message["Subject"] == "Order 0b7c4a1e confirmed"


def test_a_confirmation_shows_the_discount() -> None:
    notice = notice_for(
        order("CONFIRMED", discount_code="SUMMER10", discount_amount=Decimal("4.72"))
    )
    assert notice is not None
    assert "42.50 USD" in notice.body
    assert "SUMMER10 saved you 4.72 USD" in notice.body
    assert "Discount" not in notice_for(order("CONFIRMED")).body


def test_shipped_order_mentions_tracking() -> None:
    shipped = order("SHIPPED", tracking_number="TRK1", estimated_delivery=date(2030, 1, 5))
    notice = notice_for(shipped)
    assert notice is not None
    assert notice.notification_id.endswith(":SHIPPED")
    assert "TRK1" in notice.body and "2030-01-05" in notice.body


def test_cancelled_order_gets_a_cancellation() -> None:
    notice = notice_for(order("CANCELLED"))
    assert notice is not None
    assert notice.notification_id.endswith(":CANCELLED")
    assert notice.subject == "Order 0b7c4a1e cancelled"
    assert "42.50 USD" in notice.body and "refunded" in notice.body


@pytest.mark.parametrize(
    "status",
    [
        "RESERVED",
        "PAYMENT_FAILED",
        "EXPIRED",
        "IN_TRANSIT",
        "OUT_FOR_DELIVERY",
        "EXCEPTION",
        "DELIVERED",
    ],
)
def test_other_statuses_are_not_announced(status: str) -> None:
    assert notice_for(order(status)) is None


def test_change_is_stamped_with_the_rows_update_time() -> None:
    change = change_of(order("CONFIRMED"))
    assert (change.status, change.changed_at) == (OrderStatus.CONFIRMED, CHANGED)


@pytest.mark.parametrize(
    ("new", "last", "expected"),
    [
        (OrderStatus.CONFIRMED, OrderStatus.RESERVED, True),
        (OrderStatus.DELIVERED, OrderStatus.RESERVED, True),
        (OrderStatus.RESERVED, OrderStatus.CONFIRMED, False),
        (OrderStatus.CONFIRMED, OrderStatus.CONFIRMED, False),
        (OrderStatus.EXPIRED, OrderStatus.CONFIRMED, False),
        (OrderStatus.DELIVERED, OrderStatus.IN_TRANSIT, True),
        (OrderStatus.IN_TRANSIT, OrderStatus.OUT_FOR_DELIVERY, False),
        (OrderStatus.IN_TRANSIT, OrderStatus.SHIPPED, True),
        (OrderStatus.CANCELLED, OrderStatus.CONFIRMED, True),
        (OrderStatus.CONFIRMED, OrderStatus.CANCELLED, False),
    ],
)
def test_a_status_lies_ahead_only_along_the_lifecycle(
    new: OrderStatus, last: OrderStatus, expected: bool
) -> None:
    assert lies_ahead(new, last) is expected
