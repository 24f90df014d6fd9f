"""Operator endpoints moving an order through fulfilment (admin role required)."""

from fastapi import APIRouter

from api.auth import AdminUser
from api.deps import ServicesDep
from api.models.orders import OrderStatusView, ShipRequest
from api.openapi import error_responses
from api.params import OrderIdPath
from services import orders

router = APIRouter(
    prefix="/admin/orders", tags=["admin"], responses=error_responses(401, 403, 404, 409)
)


@router.post("/{orderId}/ship")
async def ship_order(
    order_id: OrderIdPath,
    _: AdminUser,
    services: ServicesDep,
    body: ShipRequest | None = None,
) -> OrderStatusView:
    """CONFIRMED -> SHIPPED with a tracking number and an estimated delivery date (derived
    from the order id and settings.delivery_transit_days unless the body gives them), and the
    carrier, if named. The carrier's signed events (``POST /v1/carrier/events``) then move
    the order on by its tracking number."""
    body = body or ShipRequest()
    shipped = await orders.ship(
        services, order_id, body.tracking_number, body.estimated_delivery, body.carrier
    )
    return OrderStatusView.of(*shipped)


@router.post("/{orderId}/deliver")
async def deliver_order(
    order_id: OrderIdPath, _: AdminUser, services: ServicesDep
) -> OrderStatusView:
    """A shipped order (in transit, out for delivery, held by an exception) -> DELIVERED."""
    return OrderStatusView.of(*await orders.deliver(services, order_id))
