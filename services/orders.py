"""Orders after checkout: the customer's history and status, operators moving them on."""

import datetime as dt
import uuid

from adapters import orders
from domain.orders import OrderNotFound, OrderStatus, Shipment, plan_shipment, transition
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


async def ship(
    services: Services,
    order_id: uuid.UUID,
    tracking_number: str | None = None,
    estimated_delivery: dt.date | None = None,
) -> tuple[dict, list[dict]]:
    """CONFIRMED -> SHIPPED with a tracking number and an estimated delivery date (derived
    from the order id and ``SHOP_DELIVERY_TRANSIT_DAYS`` unless given)."""
    planned = plan_shipment(
        order_id, dt.datetime.now(dt.UTC).date(), services.settings.delivery_transit_days
    )
    shipment = Shipment(
        tracking_number=tracking_number or planned.tracking_number,
        estimated_delivery=estimated_delivery or planned.estimated_delivery,
    )
    return await _move(services, order_id, OrderStatus.SHIPPED, shipment)


async def deliver(services: Services, order_id: uuid.UUID) -> tuple[dict, list[dict]]:
    """SHIPPED -> DELIVERED."""
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
