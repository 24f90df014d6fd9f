"""The reservation expiry sweep on in-memory fakes: due, unpaid holds are released once."""

from datetime import UTC, datetime, timedelta

from domain.inventory import ReservationStatus
from domain.orders import OrderStatus
from domain.payments import PaymentStatus
from domain.settlement import LIVE_PAYMENT_STATUSES, Settle
from services.context import Services
from services.settlement import expire_holds
from streams.agents.payment_outcomes import payment_outcomes
from tests.support import records
from tests.support.memory import MemoryShop, units

LATER = timedelta(seconds=1)


async def test_overdue_unpaid_order_expires_and_releases(shop: MemoryShop, fakes: Services) -> None:
    order_id, _ = shop.new_order({"p1": 2, "p2": 1}, hold_seconds=0)
    [decision] = await expire_holds(fakes, datetime.now(UTC) + LATER)
    assert isinstance(decision, Settle)
    assert shop.status(order_id) is OrderStatus.EXPIRED
    assert shop.holds_of(order_id) == {ReservationStatus.RELEASED}
    assert shop.units("p1") == units(available=10)
    assert shop.all_conserved()


async def test_second_sweep_finds_nothing(shop: MemoryShop, fakes: Services) -> None:
    shop.new_order({"p1": 2}, hold_seconds=0)
    now = datetime.now(UTC) + LATER
    await expire_holds(fakes, now)
    assert await expire_holds(fakes, now) == []
    assert shop.units("p1") == units(available=10)


async def test_orders_with_a_live_payment_or_time_left_stay(
    shop: MemoryShop, fakes: Services
) -> None:
    paid = [shop.new_order({"p1": 1}, hold_seconds=0)[0] for _ in LIVE_PAYMENT_STATUSES]
    for order_id, status in zip(paid, LIVE_PAYMENT_STATUSES, strict=True):
        shop.record_payment(order_id, status)
    fresh, _ = shop.new_order({"p1": 1}, hold_seconds=600)
    assert await expire_holds(fakes, datetime.now(UTC) + LATER) == []
    assert {shop.status(o) for o in [*paid, fresh]} == {OrderStatus.RESERVED}


async def test_sweeps_every_batch(shop: MemoryShop, fakes: Services) -> None:
    fakes.settings = fakes.settings.model_copy(update={"reservation_expiry_batch": 2})
    orders = [shop.new_order({"p1": 1}, hold_seconds=0)[0] for _ in range(5)]
    decisions = await expire_holds(fakes, datetime.now(UTC) + LATER)
    assert len(decisions) == 5
    assert {shop.status(o) for o in orders} == {OrderStatus.EXPIRED}


async def test_success_arriving_after_expiry_is_refunded(shop: MemoryShop, fakes: Services) -> None:
    order_id, user_id = shop.new_order({"p1": 2}, hold_seconds=0)
    await expire_holds(fakes, datetime.now(UTC) + LATER)
    payment_id = shop.record_payment(order_id, PaymentStatus.SUCCEEDED)
    success = records.payment(payment_id, order_id, user_id, "SUCCEEDED")
    await records.deliver(payment_outcomes, success)
    assert shop.status(order_id) is OrderStatus.EXPIRED
    assert shop.units("p1") == units(available=10)
    assert shop.refund_rows[payment_id]["status"] == PaymentStatus.SUCCEEDED


async def test_expiry_gives_the_discount_back_once(shop: MemoryShop, fakes: Services) -> None:
    expired, _ = shop.new_order({"p1": 1}, hold_seconds=0, discount_code="SUMMER10")
    shop.new_order({"p1": 1}, hold_seconds=600, discount_code="SUMMER10")
    now = datetime.now(UTC) + LATER
    await expire_holds(fakes, now)
    await expire_holds(fakes, now)
    assert shop.redeemed == {"SUMMER10": 1}
    assert shop.redemptions[expired] == ("SUMMER10", False)
