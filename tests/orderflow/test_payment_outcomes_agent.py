"""payment_outcomes through Faust's test context, on in-memory ports: the agent's paragraph
(parse -> rule -> conditional write) including duplicate and out-of-order delivery."""

import uuid
from collections.abc import Awaitable

from domain.inventory import ReservationStatus
from domain.orders import OrderStatus
from domain.payments import PaymentStatus
from domain.settlement import NoChange, RefundRequired, Settle
from streams.agents.payment_outcomes import payment_outcomes
from tests.support import records
from tests.support.memory import MemoryShop, units


def deliver(*values: bytes | None) -> Awaitable[list]:
    return records.deliver(payment_outcomes, *values)


def pay(order: tuple[str, str], status: str, payment_id: str | None = None) -> bytes:
    order_id, user_id = order
    return records.payment(payment_id or str(uuid.uuid4()), order_id, user_id, status)


async def test_success_confirms_and_sells(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 2, "p2": 1})
    [decision] = await deliver(pay(order, "SUCCEEDED"))
    assert isinstance(decision, Settle)
    assert shop.status(order[0]) is OrderStatus.CONFIRMED
    assert shop.holds_of(order[0]) == {ReservationStatus.SOLD}
    assert shop.units("p1") == units(available=8, reserved=0, sold=2)
    assert shop.all_conserved()


async def test_failure_releases(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 3})
    await deliver(pay(order, "FAILED"))
    assert shop.status(order[0]) is OrderStatus.PAYMENT_FAILED
    assert shop.holds_of(order[0]) == {ReservationStatus.RELEASED}
    assert shop.units("p1") == units(available=10)


async def test_pending_and_unknown_change_nothing(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 1})
    decisions = await deliver(pay(order, "PENDING"), pay(order, "UNKNOWN"))
    assert all(isinstance(d, NoChange) for d in decisions)
    assert shop.status(order[0]) is OrderStatus.RESERVED
    assert shop.units("p1") == units(available=9, reserved=1)


async def test_redelivery_changes_nothing(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 2})
    success = pay(order, "SUCCEEDED")
    first, *repeats = await deliver(success, success, success)
    assert isinstance(first, Settle)
    assert all(isinstance(d, NoChange) for d in repeats)
    assert shop.units("p1") == units(available=8, sold=2)


async def test_stale_pending_after_success_changes_nothing(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 1})
    payment_id = str(uuid.uuid4())
    await deliver(pay(order, "SUCCEEDED", payment_id), pay(order, "PENDING", payment_id))
    assert shop.status(order[0]) is OrderStatus.CONFIRMED
    assert shop.units("p1") == units(available=9, sold=1)


async def test_failure_after_success_changes_nothing(shop: MemoryShop) -> None:
    """Two attempts of one order on different partitions, the failed one processed last."""
    order = shop.new_order({"p1": 1})
    await deliver(pay(order, "SUCCEEDED"), pay(order, "FAILED"))
    assert shop.status(order[0]) is OrderStatus.CONFIRMED
    assert shop.holds_of(order[0]) == {ReservationStatus.SOLD}


async def test_success_after_failure_requires_refund_and_keeps_stock(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 2})
    await deliver(pay(order, "FAILED"))
    before = shop.units("p1")
    [decision] = await deliver(pay(order, "SUCCEEDED"))
    assert decision == RefundRequired(OrderStatus.PAYMENT_FAILED)
    assert shop.units("p1") == before
    refund = ("refund_required", shop.users[order[1]])
    assert shop.notifications == {f"{order[0]}:refund_required": refund}


async def test_deletes_and_tombstones_are_ignored(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 1})
    order_id, user_id = order
    deleted = records.payment(str(uuid.uuid4()), order_id, user_id, "SUCCEEDED", op="d")
    assert await deliver(deleted, None) == [None, None]
    assert shop.status(order_id) is OrderStatus.RESERVED


async def test_payment_for_unknown_order_changes_nothing(shop: MemoryShop) -> None:
    [decision] = await deliver(pay((str(uuid.uuid4()), "u"), PaymentStatus.SUCCEEDED))
    assert isinstance(decision, NoChange)


async def test_failure_gives_the_discount_back_once(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 1}, discount_code="SUMMER10")
    other = shop.new_order({"p1": 1}, discount_code="SUMMER10")
    failed = pay(order, "FAILED")
    await deliver(failed, failed, pay(order, "FAILED"))
    assert shop.redeemed == {"SUMMER10": 1}
    assert shop.redemptions == {order[0]: ("SUMMER10", False), other[0]: ("SUMMER10", True)}


async def test_success_keeps_the_discount(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 1}, discount_code="SUMMER10")
    await deliver(pay(order, "SUCCEEDED"), pay(order, "FAILED"))
    assert shop.redeemed == {"SUMMER10": 1}
    assert shop.redemptions[order[0]] == ("SUMMER10", True)
