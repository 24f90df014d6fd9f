"""Money is conserved: the rule the money audit checks, as pure code.

Every succeeded charge ends on an order that is being (or was) fulfilled, or is given back by a
succeeded refund of that very charge; an order is charged at most once; a refund refers to a
succeeded charge and gives back no more than it took, and never on an order still being
fulfilled. A charge of an order that is still RESERVED is a settlement under way: it is a
finding only if it lasts past the audit's grace period.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.orders import OrderStatus
from domain.payments import PaymentStatus

FULFILLED = frozenset(
    {
        OrderStatus.CONFIRMED,
        OrderStatus.SHIPPED,
        OrderStatus.IN_TRANSIT,
        OrderStatus.OUT_FOR_DELIVERY,
        OrderStatus.EXCEPTION,
        OrderStatus.DELIVERED,
    }
)
"""Paid orders the shop keeps the money of."""


@dataclass(frozen=True)
class PaymentFacts:
    """A payment that succeeded, or that a refund refers to, with its order and refund."""

    order_id: str
    order_status: OrderStatus
    payment_id: str
    payment_status: PaymentStatus
    amount: Decimal
    refund_status: PaymentStatus | None = None
    refund_amount: Decimal | None = None

    @property
    def charged(self) -> bool:
        return self.payment_status is PaymentStatus.SUCCEEDED

    @property
    def refunded(self) -> bool:
        return self.refund_status is PaymentStatus.SUCCEEDED


class Discrepancy(StrEnum):
    UNREFUNDED_CHARGE = "unrefunded_charge"
    """Money taken for an order that is not fulfilled and not given back."""
    DOUBLE_CHARGE = "double_charge"
    """More than one succeeded charge for one order."""
    REFUND_WITHOUT_CHARGE = "refund_without_charge"
    """A refund row whose payment did not succeed."""
    REFUND_OVER_CHARGE = "refund_over_charge"
    """A refund of more than its charge took."""
    REFUNDED_BUT_FULFILLED = "refunded_but_fulfilled"
    """The money went back, but the order is still being fulfilled."""


@dataclass(frozen=True)
class Finding:
    kind: Discrepancy
    order_id: str
    payment_id: str
    order_status: OrderStatus
    amount: Decimal

    @property
    def refundable(self) -> bool:
        """The repair is a refund: money kept for an order that ended (a RESERVED order's
        charge is settled by the payment-outcome agent, not refunded)."""
        return (
            self.kind is Discrepancy.UNREFUNDED_CHARGE
            and self.order_status is not OrderStatus.RESERVED
        )

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "order_id": self.order_id,
            "payment_id": self.payment_id,
            "order_status": self.order_status,
            "amount": str(self.amount),
        }


def discrepancies(payments: Iterable[PaymentFacts]) -> list[Finding]:
    """Every way ``payments`` break the conservation of money, in order and payment order."""
    facts = sorted(payments, key=lambda p: (p.order_id, p.payment_id))
    charges_per_order = Counter(p.order_id for p in facts if p.charged)
    findings = []
    for p in facts:
        kinds = []
        if p.charged and p.order_status not in FULFILLED and not p.refunded:
            kinds.append(Discrepancy.UNREFUNDED_CHARGE)
        if p.charged and charges_per_order[p.order_id] > 1:
            kinds.append(Discrepancy.DOUBLE_CHARGE)
        if p.refund_status is not None and not p.charged:
            kinds.append(Discrepancy.REFUND_WITHOUT_CHARGE)
        if p.refund_amount is not None and p.refund_amount > p.amount:
            kinds.append(Discrepancy.REFUND_OVER_CHARGE)
        if p.refunded and p.order_status in FULFILLED:
            kinds.append(Discrepancy.REFUNDED_BUT_FULFILLED)
        findings += [Finding(k, p.order_id, p.payment_id, p.order_status, p.amount) for k in kinds]
    return findings
