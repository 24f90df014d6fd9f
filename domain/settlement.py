"""What a payment outcome, an expired hold or the customer's cancellation does to an order and
its stock, as pure code.

The stream agents (and the cancel endpoint) load an order's state under a row lock, ask these
functions what to do and apply the answer in the same transaction. Every rule starts from the
order's status, so a repeated or late event finds nothing left to do: that is what makes
redelivery (and a repeated cancel) harmless.
"""

from dataclasses import dataclass
from datetime import datetime

from domain import inventory
from domain.errors import Refusal
from domain.inventory import Hold, ReservationStatus, StockMove
from domain.orders import OrderStatus
from domain.payments import PaymentStatus

# A payment that may still take (or has taken) the customer's money: its order must not expire.
LIVE_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.UNKNOWN, PaymentStatus.SUCCEEDED)


@dataclass(frozen=True)
class OrderState:
    """What the rules need to know about an order, read under its row lock."""

    order_id: str
    status: OrderStatus
    holds: tuple[Hold, ...]
    live_payment: bool
    sold: tuple[Hold, ...] = ()
    """Its SOLD reservations: what a paid order gives back when cancelled."""


@dataclass(frozen=True)
class Settle:
    """Move the order on, turn every hold into a sale or a release, and move the stock; an
    order that gives its stock back gives its discount code's redemption back too."""

    order_status: OrderStatus
    holds_become: ReservationStatus
    moves: tuple[StockMove, ...]
    gives_back_discount: bool = False
    holds_were: ReservationStatus = ReservationStatus.HELD
    """Which of the order's reservations turn into ``holds_become``."""
    refunds_payment: bool = False
    """The order's succeeded payment is to be refunded."""


@dataclass(frozen=True)
class RefundRequired:
    """A payment succeeded for an order that had already given its stock back: the money goes
    back to the customer."""

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

    A success that arrives after the order expired (or failed, or was cancelled) must not
    resurrect the sale: the units may have been sold to someone else since. It is refunded.
    """
    reserved = state.status is OrderStatus.RESERVED
    if payment is PaymentStatus.SUCCEEDED:
        if reserved:
            return sell(state)
        if state.status in (
            OrderStatus.EXPIRED,
            OrderStatus.PAYMENT_FAILED,
            OrderStatus.CANCELLED,
        ):
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


# Orders that ended before shipping; any other status past CONFIRMED has shipped.
_ENDED_UNSHIPPED = (OrderStatus.PAYMENT_FAILED, OrderStatus.EXPIRED)


class NotCancellable(Refusal):
    code = "not_cancellable"

    def __init__(self, status: OrderStatus, reason: str) -> None:
        super().__init__(f"an order in {status} cannot be cancelled: {reason}", status=status)


def on_cancel(state: OrderState) -> Decision:
    """The customer cancels before shipping: an unpaid order releases its holds, a paid one
    puts its sold units back on sale and has its payment refunded; both give their discount
    redemption back. Cancelling again changes nothing. Raises NotCancellable otherwise."""
    if state.status is OrderStatus.CANCELLED:
        return NoChange("order already cancelled")
    if state.status is OrderStatus.RESERVED:
        if state.live_payment:
            raise NotCancellable(state.status, "a payment is in progress: try again shortly")
        return release(state, OrderStatus.CANCELLED)
    if state.status is OrderStatus.CONFIRMED:
        return Settle(
            OrderStatus.CANCELLED,
            ReservationStatus.RELEASED,
            tuple(inventory.unsell(s.product_id, s.quantity) for s in state.sold),
            gives_back_discount=True,
            holds_were=ReservationStatus.SOLD,
            refunds_payment=True,
        )
    reason = "it has ended" if state.status in _ENDED_UNSHIPPED else "it has shipped"
    raise NotCancellable(state.status, reason)
