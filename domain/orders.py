"""The order lifecycle as pure code, shared by the API's operator endpoints and the stream agents.

RESERVED is where checkout leaves an order; payment outcomes and reservation expiry move it on
(streams), its owner may cancel it until it ships (API), operators ship and deliver it (API),
and the carrier's tracking events move a shipped order on to its delivery (API webhook). Any
other move is a bug or a stale event.

The transitions form no cycle: the status history keeps one row per status, and "lies ahead"
(``domain.status_history``) is reachability in this graph.
"""

import datetime as dt
import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.errors import NotFound, Refusal


class OrderStatus(StrEnum):
    RESERVED = "RESERVED"
    CONFIRMED = "CONFIRMED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    SHIPPED = "SHIPPED"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    EXCEPTION = "EXCEPTION"
    """The carrier reported a problem (failed attempt, damage, address): delivery may follow."""
    DELIVERED = "DELIVERED"


@dataclass(frozen=True)
class OrderSnapshot:
    """An order as one change of its row shows it (the order flow's agents react to these)."""

    order_id: str
    user_id: str
    status: OrderStatus
    total_amount: Decimal
    """What the customer pays: the discount, if any, is taken off."""
    currency: str
    discount_code: str | None = None
    discount_amount: Decimal = Decimal(0)
    tracking_number: str | None = None
    carrier: str | None = None
    estimated_delivery: dt.date | None = None
    updated_at: dt.datetime | None = None
    request_id: str | None = None  # the storefront request that placed it: logs name it


ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.RESERVED: frozenset(
        {
            OrderStatus.CONFIRMED,
            OrderStatus.PAYMENT_FAILED,
            OrderStatus.EXPIRED,
            OrderStatus.CANCELLED,
        }
    ),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset(
        {
            OrderStatus.IN_TRANSIT,
            OrderStatus.OUT_FOR_DELIVERY,
            OrderStatus.EXCEPTION,
            OrderStatus.DELIVERED,
        }
    ),
    OrderStatus.IN_TRANSIT: frozenset(
        {OrderStatus.OUT_FOR_DELIVERY, OrderStatus.EXCEPTION, OrderStatus.DELIVERED}
    ),
    OrderStatus.OUT_FOR_DELIVERY: frozenset({OrderStatus.EXCEPTION, OrderStatus.DELIVERED}),
    OrderStatus.EXCEPTION: frozenset({OrderStatus.DELIVERED}),
}


class InvalidTransition(Refusal):
    code = "invalid_transition"

    def __init__(self, current: OrderStatus, target: OrderStatus) -> None:
        super().__init__(
            f"an order in {current} cannot become {target}", status=current, target=target
        )
        self.current = current
        self.target = target


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    return target in ALLOWED_TRANSITIONS.get(current, frozenset())


def transition(current: OrderStatus, target: OrderStatus) -> OrderStatus:
    """Returns ``target`` when the lifecycle allows the move, else raises InvalidTransition."""
    if not can_transition(current, target):
        raise InvalidTransition(current, target)
    return target


def is_legal_path(statuses: Sequence[OrderStatus]) -> bool:
    """An order's history in time order is a walk of the lifecycle from RESERVED: each status
    one the one before may move to (the carrier may skip a step the lifecycle allows to)."""
    if not statuses or statuses[0] is not OrderStatus.RESERVED:
        return False
    return all(can_transition(a, b) for a, b in itertools.pairwise(statuses))


def is_final(status: OrderStatus) -> bool:
    return not ALLOWED_TRANSITIONS.get(status)


@dataclass(frozen=True)
class Shipment:
    tracking_number: str
    estimated_delivery: dt.date
    carrier: str | None = None


def plan_shipment(order_id: uuid.UUID, shipped_on: dt.date, transit_days: int) -> Shipment:
    """Tracking number derived from the order id, so re-planning the same order is stable."""
    return Shipment(
        tracking_number=f"TRK{order_id.hex[:12].upper()}",
        estimated_delivery=shipped_on + dt.timedelta(days=transit_days),
    )


class OrderNotFound(NotFound):
    code = "order_not_found"

    def __init__(self, order_id: uuid.UUID) -> None:
        super().__init__(f"order {order_id} not found", order_id=str(order_id))
