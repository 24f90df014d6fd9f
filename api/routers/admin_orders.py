"""Operator endpoints moving an order through fulfilment (admin role required)."""

import datetime as dt
import uuid

from fastapi import APIRouter

from adapters.connections import Clients
from api.auth import AdminUser
from api.deps import ClientsDep
from api.errors import error_responses
from api.params import OrderIdPath
from api.repositories import orders
from domain.orders import OrderNotFound, OrderStatus, Shipment, plan_shipment, transition
from schemas.orders import OrderStatusView, ShipRequest

router = APIRouter(
    prefix="/admin/orders", tags=["admin"], responses=error_responses(401, 403, 404, 409)
)


@router.post("/{orderId}/ship")
async def ship_order(
    order_id: OrderIdPath,
    _: AdminUser,
    clients: ClientsDep,
    body: ShipRequest | None = None,
) -> OrderStatusView:
    """CONFIRMED -> SHIPPED with a tracking number and an estimated delivery date (derived
    from the order id and settings.delivery_transit_days unless the body gives them)."""
    body = body or ShipRequest()
    planned = plan_shipment(
        order_id, dt.datetime.now(dt.UTC).date(), clients.settings.delivery_transit_days
    )
    shipment = Shipment(
        tracking_number=body.tracking_number or planned.tracking_number,
        estimated_delivery=body.estimated_delivery or planned.estimated_delivery,
    )
    return await _move(clients, order_id, OrderStatus.SHIPPED, shipment)


@router.post("/{orderId}/deliver")
async def deliver_order(
    order_id: OrderIdPath, _: AdminUser, clients: ClientsDep
) -> OrderStatusView:
    """SHIPPED -> DELIVERED."""
    return await _move(clients, order_id, OrderStatus.DELIVERED)


async def _move(
    clients: Clients,
    order_id: uuid.UUID,
    target: OrderStatus,
    shipment: Shipment | None = None,
) -> OrderStatusView:
    async with clients.pg.connection() as conn, conn.transaction():
        current = await orders.lock_status(conn, order_id)
        if current is None:
            raise OrderNotFound(order_id)
        order = await orders.set_status(conn, order_id, transition(current, target), shipment)
        history = await orders.history_of(conn, order_id)
    return OrderStatusView.of(order, history)
