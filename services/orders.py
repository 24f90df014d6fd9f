"""Orders after checkout: the customer's history and status, watching it live, operators
moving orders on."""

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator

from adapters import orders
from adapters.status_feed import StatusFanout, status_from_json
from domain.orders import (
    OrderNotFound,
    OrderStatus,
    Shipment,
    is_final,
    plan_shipment,
    transition,
)
from domain.status_history import StatusChange, lies_ahead
from services.context import Services


async def history_page(
    services: Services, user_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[dict], int]:
    """The user's orders, newest first, and how many there are in all."""
    async with services.engines.pg.connection() as conn:
        return await orders.page_of(conn, user_id, limit, offset)


async def status_of(
    services: Services, order_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[dict, list[dict]]:
    """The order's tracking fields and its status history (owner only)."""
    async with services.engines.pg.connection() as conn:
        order = await orders.tracking_of(conn, order_id, user_id)
        if order is None:
            raise OrderNotFound(order_id)
        return order, await orders.history_of(conn, order_id)


async def latest_status(
    services: Services, order_id: uuid.UUID, user_id: uuid.UUID
) -> StatusChange | None:
    """The order's status now and since when (owner only; None: no such order of theirs)."""
    async with services.engines.pg.connection() as conn:
        row = await orders.status_of(conn, order_id, user_id)
    if row is None:
        return None
    return StatusChange(row["order_id"], OrderStatus(row["status"]), row["changed_at"])


async def watch_status(
    services: Services,
    fanout: StatusFanout,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    quiet_seconds: float,
) -> AsyncIterator[StatusChange | None]:
    """The current status, then each change ahead of the last one given; None after each
    ``quiet_seconds`` without one. Ends at a final status or after ``SHOP_SSE_MAX_SECONDS``.

    It watches the order's changes before it reads the current status, so no change can fall
    in between; a status not ahead of the last one (a repeat, or a late delivery from a
    lagging worker) is dropped."""
    ends_at = time.monotonic() + services.settings.sse_max_seconds
    async with fanout.watch(str(order_id)) as changes:
        last = await latest_status(services, order_id, user_id)
        if last is None:
            return
        yield last
        while not is_final(last.status) and (left := ends_at - time.monotonic()) > 0:
            try:
                data = await asyncio.wait_for(changes.get(), min(quiet_seconds, left))
            except TimeoutError:
                yield None
                continue
            if data is None:  # the feed ended: the client reconnects
                return
            change = status_from_json(data)
            if lies_ahead(change.status, last.status):
                last = change
                yield change


async def ship(
    services: Services,
    order_id: uuid.UUID,
    tracking_number: str | None = None,
    estimated_delivery: dt.date | None = None,
    carrier: str | None = None,
) -> tuple[dict, list[dict]]:
    """CONFIRMED -> SHIPPED with a tracking number and an estimated delivery date (derived
    from the order id and ``SHOP_DELIVERY_TRANSIT_DAYS`` unless given), and the carrier."""
    planned = plan_shipment(
        order_id, dt.datetime.now(dt.UTC).date(), services.settings.delivery_transit_days
    )
    shipment = Shipment(
        tracking_number=tracking_number or planned.tracking_number,
        estimated_delivery=estimated_delivery or planned.estimated_delivery,
        carrier=carrier,
    )
    return await _move(services, order_id, OrderStatus.SHIPPED, shipment)


async def deliver(services: Services, order_id: uuid.UUID) -> tuple[dict, list[dict]]:
    """A shipped order (in transit, out for delivery, held by an exception) -> DELIVERED."""
    return await _move(services, order_id, OrderStatus.DELIVERED)


async def _move(
    services: Services, order_id: uuid.UUID, target: OrderStatus, shipment: Shipment | None = None
) -> tuple[dict, list[dict]]:
    async with services.unit_of_work() as uow:
        current = await orders.lock_status(uow.conn, order_id)
        if current is None:
            raise OrderNotFound(order_id)
        order = await orders.set_status(uow.conn, order_id, transition(current, target), shipment)
        return order, await orders.history_of(uow.conn, order_id)
