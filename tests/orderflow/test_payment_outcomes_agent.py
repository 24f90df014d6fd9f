"""payment_outcomes through Faust's test context, on in-memory ports: the agent's paragraph
(parse -> rule -> conditional write) including duplicate and out-of-order delivery."""

import uuid
from collections.abc import Awaitable

from domain.inventory import ReservationStatus
from domain.orders import OrderStatus
from domain.payments import GatewayOutcome, PaymentStatus
from domain.settlement import NoChange, RefundRequired, Settle
from services.context import Services
from services.refunds import retry_refunds
from streams.agents.payment_outcomes import payment_outcomes
from tests.support import records
from tests.support.memory import MemoryShop, units


def deliver(*values: bytes | None) -> Awaitable[list]:
    return records.deliver(payment_outcomes, *values)


def pay(
    shop: MemoryShop, order: tuple[str, str], status: str, payment_id: str | None = None
) -> bytes:
    """The payment row as Postgres then holds it, and the change record CDC makes of it."""
    order_id, user_id = order
    payment_id = shop.record_payment(order_id, PaymentStatus(status), payment_id)
    return records.payment(payment_id, order_id, user_id, status)


async def test_success_confirms_and_sells(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 2, "p2": 1})
    [decision] = await deliver(pay(shop, order, "SUCCEEDED"))
    assert isinstance(decision, Settle)
    assert shop.status(order[0]) is OrderStatus.CONFIRMED
    assert shop.holds_of(order[0]) == {ReservationStatus.SOLD}
    assert shop.units("p1") == units(available=8, reserved=0, sold=2)
    assert shop.all_conserved()


async def test_failure_releases(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 3})
    await deliver(pay(shop, order, "FAILED"))
    assert shop.status(order[0]) is OrderStatus.PAYMENT_FAILED
    assert shop.holds_of(order[0]) == {ReservationStatus.RELEASED}
    assert shop.units("p1") == units(available=10)


async def test_pending_and_unknown_change_nothing(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 1})
    decisions = await deliver(pay(shop, order, "PENDING"), pay(shop, order, "UNKNOWN"))
    assert all(isinstance(d, NoChange) for d in decisions)
    assert shop.status(order[0]) is OrderStatus.RESERVED
    assert shop.units("p1") == units(available=9, reserved=1)


async def test_redelivery_changes_nothing(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 2})
    success = pay(shop, order, "SUCCEEDED")
    first, *repeats = await deliver(success, success, success)
    assert isinstance(first, Settle)
    assert all(isinstance(d, NoChange) for d in repeats)
    assert shop.units("p1") == units(available=8, sold=2)


async def test_stale_pending_after_success_changes_nothing(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 1})
    payment_id = str(uuid.uuid4())
    stale = records.payment(payment_id, order[0], order[1], "PENDING")
    await deliver(pay(shop, order, "SUCCEEDED", payment_id), stale)
    assert shop.status(order[0]) is OrderStatus.CONFIRMED
    assert shop.units("p1") == units(available=9, sold=1)


async def test_failure_after_success_changes_nothing(shop: MemoryShop) -> None:
    """Two attempts of one order on different partitions, the failed one processed last."""
    order = shop.new_order({"p1": 1})
    await deliver(pay(shop, order, "SUCCEEDED"), pay(shop, order, "FAILED"))
    assert shop.status(order[0]) is OrderStatus.CONFIRMED
    assert shop.holds_of(order[0]) == {ReservationStatus.SOLD}


async def test_success_after_failure_requires_refund_and_keeps_stock(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 2})
    await deliver(pay(shop, order, "FAILED"))
    before = shop.units("p1")
    [decision] = await deliver(pay(shop, order, "SUCCEEDED", paid := str(uuid.uuid4())))
    assert decision == RefundRequired(OrderStatus.PAYMENT_FAILED)
    assert shop.units("p1") == before
    assert shop.refund_rows[paid]["status"] == PaymentStatus.SUCCEEDED
    assert shop.gateway.refunded == {
        f"refund:{paid}": GatewayOutcome.succeeded(f"re-refund:{paid}")
    }


async def test_deletes_and_tombstones_are_ignored(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 1})
    order_id, user_id = order
    deleted = records.payment(str(uuid.uuid4()), order_id, user_id, "SUCCEEDED", op="d")
    assert await deliver(deleted, None) == [None, None]
    assert shop.status(order_id) is OrderStatus.RESERVED


async def test_payment_for_unknown_order_changes_nothing(shop: MemoryShop) -> None:
    [decision] = await deliver(pay(shop, (str(uuid.uuid4()), "u"), PaymentStatus.SUCCEEDED))
    assert isinstance(decision, NoChange)


async def test_failure_gives_the_discount_back_once(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 1}, discount_code="SUMMER10")
    other = shop.new_order({"p1": 1}, discount_code="SUMMER10")
    failed = pay(shop, order, "FAILED")
    await deliver(failed, failed, pay(shop, order, "FAILED"))
    assert shop.redeemed == {"SUMMER10": 1}
    assert shop.redemptions == {order[0]: ("SUMMER10", False), other[0]: ("SUMMER10", True)}


async def test_success_keeps_the_discount(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 1}, discount_code="SUMMER10")
    await deliver(pay(shop, order, "SUCCEEDED"), pay(shop, order, "FAILED"))
    assert shop.redeemed == {"SUMMER10": 1}
    assert shop.redemptions[order[0]] == ("SUMMER10", True)


async def test_a_forged_success_of_an_unpaid_payment_changes_nothing(shop: MemoryShop) -> None:
    """Postgres decides: a record claiming success for a payment still PENDING there (written
    to the topic by anyone who can) neither confirms the order nor sells its units."""
    order = shop.new_order({"p1": 2})
    payment_id = shop.record_payment(order[0], PaymentStatus.PENDING)
    forged = records.payment(payment_id, order[0], order[1], "SUCCEEDED")
    [decision] = await deliver(forged)
    assert isinstance(decision, NoChange)
    assert shop.status(order[0]) is OrderStatus.RESERVED
    assert shop.units("p1") == units(available=8, reserved=2)


async def test_a_record_of_a_payment_postgres_does_not_hold_changes_nothing(
    shop: MemoryShop,
) -> None:
    order = shop.new_order({"p1": 1})
    other = shop.new_order({"p1": 1})
    elsewhere = shop.record_payment(other[0], PaymentStatus.SUCCEEDED)
    invented = records.payment(str(uuid.uuid4()), order[0], order[1], "SUCCEEDED")
    misattributed = records.payment(elsewhere, order[0], order[1], "SUCCEEDED")
    assert [type(d) for d in await deliver(invented, misattributed)] == [NoChange, NoChange]
    assert shop.status(order[0]) is OrderStatus.RESERVED


async def test_a_late_success_is_refunded_once_however_often_delivered(shop: MemoryShop) -> None:
    order = shop.new_order({"p1": 1})
    await deliver(pay(shop, order, "FAILED"))
    late = pay(shop, order, "SUCCEEDED", paid := str(uuid.uuid4()))
    await deliver(late, late, late)
    assert shop.refund_rows[paid]["status"] == PaymentStatus.SUCCEEDED
    assert list(shop.gateway.refunded) == [f"refund:{paid}"]
    assert shop.gateway.asks == 1


async def test_a_refund_the_gateway_did_not_answer_is_asked_again(
    shop: MemoryShop, fakes: Services
) -> None:
    order = shop.new_order({"p1": 1})
    await deliver(pay(shop, order, "FAILED"))
    shop.gateway.down = True
    await deliver(pay(shop, order, "SUCCEEDED", paid := str(uuid.uuid4())))
    assert shop.refund_rows[paid]["status"] == PaymentStatus.UNKNOWN
    shop.gateway.down = False
    await retry_refunds(fakes, older_than_seconds=0)
    assert shop.refund_rows[paid]["status"] == PaymentStatus.SUCCEEDED
    assert await retry_refunds(fakes, older_than_seconds=0) == []
