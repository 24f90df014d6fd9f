"""What a carrier's tracking event does to a shipped order, as pure code.

Carriers deliver webhooks at least once and in no promised order. An event id seen before
changes nothing (the store keeps every id once); an event older than the newest one applied
changes nothing either, and neither does one whose status does not lie ahead of the order's
(``ALLOWED_TRANSITIONS``): a late IN_TRANSIT never takes a delivered order back.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from domain.orders import OrderStatus, can_transition


class CarrierEventKind(StrEnum):
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    EXCEPTION = "EXCEPTION"

    @property
    def order_status(self) -> OrderStatus:
        return OrderStatus(self.value)


@dataclass(frozen=True)
class CarrierEvent:
    event_id: str
    tracking_number: str
    kind: CarrierEventKind
    occurred_at: dt.datetime
    estimated_delivery: dt.date | None = None


@dataclass(frozen=True)
class TrackedOrder:
    """What the rule needs of the order the tracking number names, read under its row lock."""

    order_id: str
    status: OrderStatus
    last_event_at: dt.datetime | None


@dataclass(frozen=True)
class Track:
    """Record the event on the order: its status (unchanged for a repeated scan of the same
    status) and, when the carrier gave one, a new estimated delivery date."""

    status: OrderStatus
    occurred_at: dt.datetime
    estimated_delivery: dt.date | None


@dataclass(frozen=True)
class Ignore:
    reason: str


TrackingDecision = Track | Ignore


def on_carrier_event(order: TrackedOrder, event: CarrierEvent) -> TrackingDecision:
    """A newer event moves the order to the event's status when the lifecycle allows it, or
    keeps its status (a repeated scan, perhaps with a new estimate); anything else is ignored."""
    if order.last_event_at is not None and event.occurred_at <= order.last_event_at:
        return Ignore(f"older than the last event applied ({order.last_event_at.isoformat()})")
    target = event.kind.order_status
    if target is order.status or can_transition(order.status, target):
        return Track(target, event.occurred_at, event.estimated_delivery)
    return Ignore(f"an order in {order.status} cannot become {target}")
