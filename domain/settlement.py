"""What a payment outcome or an expired hold does to a RESERVED order and its stock, as pure code.

The stream agents load an order's state under a row lock, ask these functions what to do and
apply the answer in the same transaction. Every rule starts from "is the order still RESERVED?",
so a repeated or late event finds nothing left to do: that is what makes redelivery harmless.
"""

from dataclasses import dataclass
from datetime import datetime

from domain import inventory
from domain.inventory import Hold, ReservationStatus, StockMove
from domain.orders import OrderStatus
from domain.payments import PaymentStatus

# A payment that may still take (or has taken) the customer's money: its order must not expire.
LIVE_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.UNKNOWN, PaymentStatus.SUCCEEDED)

# Money was taken for an order that no longer holds its stock.
REFUND_REQUIRED = "refund_required"


@dataclass(frozen=True)
class OrderState:
    """What the rules need to know about an order, read under its row lock."""

    order_id: str
    status: OrderStatus
    holds: tuple[Hold, ...]
    live_payment: bool


@dataclass(frozen=True)
class Settle:
    """Move the order on, turn every hold into a sale or a release, and move the stock; an
    order that gives its stock back gives its discount code's redemption back too."""

    order_status: OrderStatus
    holds_become: ReservationStatus
    moves: tuple[StockMove, ...]
    gives_back_discount: bool = False


@dataclass(frozen=True)
class RefundRequired:
    """A payment succeeded for an order that had already given its stock back."""

    order_status: OrderStatus


@dataclass(frozen=True)
class NoChange:
    reason: str


Decision = Settle | RefundRequired | NoChange


def sell(state: OrderState) -> Settle:
    return Settle(
        OrderStatus.CONFIRMED,
        ReservationStatus.SOLD,
        tuple(inventory.sell(h.product_id, h.quantity) for h in state.holds),
    )


def release(state: OrderState, order_status: OrderStatus) -> Settle:
    return Settle(
        order_status,
        ReservationStatus.RELEASED,
        tuple(inventory.release(h.product_id, h.quantity) for h in state.holds),
        gives_back_discount=True,
    )


def on_payment(state: OrderState, payment: PaymentStatus) -> Decision:
    """A settled payment confirms or fails a RESERVED order; anything else is a no-op.

    A success that arrives after the order expired (or failed) must not resurrect the sale: the
    units may have been sold to someone else since. It is recorded as a refund to make instead.
    """
    reserved = state.status is OrderStatus.RESERVED
    if payment is PaymentStatus.SUCCEEDED:
        if reserved:
            return sell(state)
        if state.status in (OrderStatus.EXPIRED, OrderStatus.PAYMENT_FAILED):
            return RefundRequired(state.status)
        return NoChange(f"order already {state.status}")
    if payment is PaymentStatus.FAILED:
        if not reserved:
            return NoChange(f"order already {state.status}")
        if state.live_payment:
            return NoChange("another payment attempt is in flight")
        return release(state, OrderStatus.PAYMENT_FAILED)
    return NoChange(f"payment {payment} is not settled yet")


def on_expiry(state: OrderState, now: datetime) -> Decision:
    """An unpaid RESERVED order whose holds have run out gives its stock back and expires."""
    if state.status is not OrderStatus.RESERVED:
        return NoChange(f"order already {state.status}")
    if state.live_payment:
        return NoChange("a payment may have taken the money")
    if not state.holds or min(h.expires_at for h in state.holds) >= now:
        return NoChange("holds not expired")
    return release(state, OrderStatus.EXPIRED)
