"""order_status_history and notifications through Faust's test context, on in-memory ports."""

import uuid
from datetime import UTC, datetime, timedelta

from domain.orders import OrderStatus
from streams.agents.notifications import notifications
from streams.agents.order_status_history import order_status_history
from tests.support import records
from tests.support.memory import MemoryShop

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def customer(shop: MemoryShop) -> tuple[str, str]:
    user_id = str(uuid.uuid4())
    shop.users[user_id] = f"{user_id}@example.com"
    return str(uuid.uuid4()), user_id


async def test_every_status_is_recorded_once_and_published(shop: MemoryShop) -> None:
    order_id, user_id = customer(shop)
    reserved = records.order(order_id, user_id, "RESERVED", T0, op="c")
    confirmed = records.order(order_id, user_id, "CONFIRMED", T0 + timedelta(seconds=1))
    await records.deliver(order_status_history, reserved, confirmed, confirmed)
    assert shop.status_rows == {
        (order_id, OrderStatus.RESERVED): T0,
        (order_id, OrderStatus.CONFIRMED): T0 + timedelta(seconds=1),
    }
    assert [c.status for c in shop.published] == ["RESERVED", "CONFIRMED", "CONFIRMED"]


async def test_out_of_order_statuses_keep_their_own_times(shop: MemoryShop) -> None:
    order_id, user_id = customer(shop)
    late = records.order(order_id, user_id, "SHIPPED", T0 + timedelta(hours=1))
    early = records.order(order_id, user_id, "CONFIRMED", T0)
    await records.deliver(order_status_history, late, early)
    ordered = sorted(shop.status_rows.items(), key=lambda item: item[1])
    assert [status for (_, status), _ in ordered] == ["CONFIRMED", "SHIPPED"]


async def test_deleted_orders_have_no_status(shop: MemoryShop) -> None:
    order_id, user_id = customer(shop)
    deleted = records.order(order_id, user_id, "RESERVED", T0, op="d")
    assert await records.deliver(order_status_history, deleted, None) == [None, None]
    assert shop.status_rows == {}


async def test_confirmed_and_shipped_orders_get_one_email_each(shop: MemoryShop) -> None:
    order_id, user_id = customer(shop)
    changes = [
        records.order(order_id, user_id, "RESERVED", T0, op="c"),
        records.order(order_id, user_id, "CONFIRMED", T0),
        records.order(order_id, user_id, "CONFIRMED", T0),
        records.order(order_id, user_id, "SHIPPED", T0, tracking_number="TRK9"),
        records.order(order_id, user_id, "CONFIRMED", T0),
    ]
    assert await records.deliver(notifications, *changes) == [False, True, False, True, False]
    assert [m["Subject"] for m in shop.outbox] == [
        f"Order {order_id[:8]} confirmed",
        f"Order {order_id[:8]} shipped",
    ]
    assert {m["To"] for m in shop.outbox} == {shop.users[user_id]}
    assert set(shop.notifications) == {f"{order_id}:CONFIRMED", f"{order_id}:SHIPPED"}


async def test_failed_send_releases_the_claim_and_retries(shop: MemoryShop) -> None:
    order_id, user_id = customer(shop)
    shop.mail_failures = 2
    confirmed = records.order(order_id, user_id, "CONFIRMED", T0)
    assert await records.deliver(notifications, confirmed) == [True]
    assert len(shop.outbox) == 1
    assert list(shop.notifications) == [f"{order_id}:CONFIRMED"]


async def test_unknown_user_gets_nothing(shop: MemoryShop) -> None:
    confirmed = records.order(str(uuid.uuid4()), str(uuid.uuid4()), "CONFIRMED", T0)
    assert await records.deliver(notifications, confirmed) == [False]
    assert shop.outbox == [] and shop.notifications == {}


async def test_the_confirmation_shows_the_discount_the_order_row_carries(shop: MemoryShop) -> None:
    order_id, user_id = customer(shop)
    confirmed = records.order(
        order_id, user_id, "CONFIRMED", T0, discount_code="SUMMER10", discount_amount="2.78"
    )
    assert await records.deliver(notifications, confirmed) == [True]
    [mail] = shop.outbox
    assert "Discount code SUMMER10 saved you 2.78 USD." in mail.get_content()
