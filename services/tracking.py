"""The carrier's tracking events: each moves the order its tracking number names, once.

One transaction per event: lock the order, claim the event id, ask ``domain.tracking`` what the
event does, write that. The status change reaches the status history and the live status
stream through CDC, as every other order change does.
"""

import logging
from dataclasses import dataclass
from enum import StrEnum

from adapters import tracking_store
from domain.errors import NotFound
from domain.orders import OrderStatus
from domain.tracking import CarrierEvent, Ignore, on_carrier_event
from services.context import Services

log = logging.getLogger(__name__)


class EventOutcome(StrEnum):
    APPLIED = "applied"
    IGNORED = "ignored"
    """Older than the last event applied, or not ahead of the order's status."""
    DUPLICATE = "duplicate"
    """This event id was received before."""


class TrackingNumberNotFound(NotFound):
    code = "tracking_number_not_found"

    def __init__(self, tracking_number: str) -> None:
        super().__init__(
            f"no order ships under tracking number {tracking_number}",
            tracking_number=tracking_number,
        )


@dataclass(frozen=True)
class EventReceipt:
    """What one event did, and why when it was ignored."""

    outcome: EventOutcome
    order_id: str
    status: OrderStatus
    reason: str | None = None


async def receive(services: Services, event: CarrierEvent) -> EventReceipt:
    """Unknown tracking numbers are refused (nothing kept: the carrier's retry asks again)."""
    async with services.unit_of_work() as uow:
        order = await tracking_store.lock_tracked(uow.conn, event.tracking_number)
        if order is None:
            raise TrackingNumberNotFound(event.tracking_number)
        if not await tracking_store.claim(uow.conn, event):
            return EventReceipt(EventOutcome.DUPLICATE, order.order_id, order.status)
        decision = on_carrier_event(order, event)
        if isinstance(decision, Ignore):
            await tracking_store.record_outcome(
                uow.conn, event.event_id, order.order_id, decision.reason
            )
            log.info("carrier event %s ignored: %s", event.event_id, decision.reason)
            return EventReceipt(EventOutcome.IGNORED, order.order_id, order.status, decision.reason)
        await tracking_store.track(uow.conn, order, decision)
        await tracking_store.record_outcome(
            uow.conn, event.event_id, order.order_id, EventOutcome.APPLIED
        )
        return EventReceipt(EventOutcome.APPLIED, order.order_id, decision.status)
