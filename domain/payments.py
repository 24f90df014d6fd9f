"""Payment rules: when an order may be paid, and what a gateway answer means for the payment row.

A payment row is PENDING while the gateway is being asked, then SUCCEEDED or FAILED once the
gateway has answered for sure. UNKNOWN means the gateway never answered (timeout, 5xx): the charge
may exist, so the same idempotency key must be replayed later instead of charging anew.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from domain.errors import Refusal
from domain.orders import OrderStatus
from domain.pricing import money


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"

    @property
    def settled(self) -> bool:
        """The gateway's answer is final; asking again cannot change it."""
        return self in (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED)


@dataclass(frozen=True)
class PaymentChange:
    """A payment row as one change of it shows it (the payment-outcome agent reacts to these)."""

    payment_id: str
    order_id: str
    status: PaymentStatus
    request_id: str | None = None  # the storefront request that started it: logs name it


ClientPaymentStatus = Literal["success", "failed", "pending"]


def client_status(status: PaymentStatus) -> ClientPaymentStatus:
    """The design's vocabulary: success | failed, and pending while the outcome is unknown."""
    if status is PaymentStatus.SUCCEEDED:
        return "success"
    if status is PaymentStatus.FAILED:
        return "failed"
    return "pending"


@dataclass(frozen=True)
class GatewayOutcome:
    status: PaymentStatus
    transaction_id: str | None = None
    failure_reason: str | None = None

    @classmethod
    def succeeded(cls, transaction_id: str) -> "GatewayOutcome":
        return cls(PaymentStatus.SUCCEEDED, transaction_id=transaction_id)

    @classmethod
    def declined(cls, reason: str, transaction_id: str | None = None) -> "GatewayOutcome":
        return cls(PaymentStatus.FAILED, transaction_id=transaction_id, failure_reason=reason)

    @classmethod
    def unknown(cls, reason: str) -> "GatewayOutcome":
        return cls(PaymentStatus.UNKNOWN, failure_reason=reason)


def default_idempotency_key(order_id: uuid.UUID) -> str:
    """Without an Idempotency-Key header an order gets one payment attempt, replayed on retry."""
    return f"order:{order_id}"


def refund_idempotency_key(payment_id: uuid.UUID) -> str:
    """One refund per payment: every ask for it, however often the customer cancels, is one."""
    return f"refund:{payment_id}"


def card_last4(number: str) -> str:
    """The only card data we keep."""
    return number[-4:]


def to_minor_units(amount: Decimal) -> int:
    """Gateways take integer cents."""
    return int(money(amount) * 100)


@dataclass(frozen=True)
class PayableOrder:
    status: OrderStatus
    total: Decimal
    currency: str
    hold_expired: bool
    payment_failed: bool
    """A failed payment ends the order (the streams release its hold): check out again."""


class OrderNotPayable(Refusal):
    code = "order_not_payable"


class AmountMismatch(Refusal):
    code = "amount_mismatch"

    def __init__(self, amount: Decimal, total: Decimal) -> None:
        super().__init__(
            f"amount {amount} does not equal the order total {total}", order_total=float(total)
        )


def ensure_payable(order: PayableOrder, amount: Decimal) -> None:
    """Raises unless a first payment for this order, of this amount, may be attempted now."""
    if order.status is not OrderStatus.RESERVED:
        raise OrderNotPayable(f"order is {order.status}, only RESERVED orders can be paid")
    if order.payment_failed:
        raise OrderNotPayable("the payment of this order failed; check out again")
    if order.hold_expired:
        raise OrderNotPayable("the stock hold of this order expired; check out again")
    if money(amount) != money(order.total):
        raise AmountMismatch(money(amount), money(order.total))


class IdempotencyKeyReused(Refusal):
    code = "idempotency_key_reused"


def ensure_same_payment(
    attempt_order_id: uuid.UUID, attempt_last4: str | None, order_id: uuid.UUID, card_number: str
) -> None:
    """A retry resumes an earlier attempt only if it is the same payment: same order, same card."""
    if attempt_order_id != order_id:
        raise IdempotencyKeyReused("this Idempotency-Key was used for another order")
    if attempt_last4 != card_last4(card_number):
        raise IdempotencyKeyReused(
            "a payment with another card is already under way for this order"
        )
