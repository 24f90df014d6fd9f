"""The caller's order history, the status of one order, and cancelling it before it ships."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import CurrentUser
from api.deps import ServicesDep
from api.models.catalog import MAX_PAGE_SIZE, Pagination
from api.models.orders import (
    CancellationView,
    OrdersPage,
    OrderStatusView,
    OrderSummary,
    RefundView,
)
from api.openapi import error_responses
from api.params import OrderIdPath
from services import cancellation, orders

router = APIRouter(prefix="/orders", tags=["orders"], responses=error_responses(401))


@router.get("")
async def list_orders(
    user: CurrentUser,
    services: ServicesDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> OrdersPage:
    """Newest first."""
    rows, total = await orders.history_page(services, user.user_id, size, (page - 1) * size)
    return OrdersPage(
        orders=[OrderSummary.of(row) for row in rows],
        pagination=Pagination.of(page, size, total),
    )


@router.get("/{orderId}/status", responses=error_responses(404))
async def get_order_status(
    order_id: OrderIdPath, user: CurrentUser, services: ServicesDep
) -> OrderStatusView:
    """``history`` comes from order_status_history, filled by the stream agents from CDC."""
    return OrderStatusView.of(*await orders.status_of(services, order_id, user.user_id))


@router.post("/{orderId}/cancel", responses=error_responses(404, 409))
async def cancel_order(
    order_id: OrderIdPath, user: CurrentUser, services: ServicesDep
) -> CancellationView:
    """Until the order ships: an unpaid order gives its held stock back; a paid one puts its
    units back on sale and its payment is refunded. The discount code's use is given back and
    the customer is mailed. Cancelling again answers the same (and asks the gateway again for
    a refund it has not answered yet). 409 ``not_cancellable`` once shipped or ended, or while
    a payment is in progress."""
    done = await cancellation.cancel(services, order_id, user.user_id)
    return CancellationView(
        order_id=done.order_id,
        status=done.status,
        refund=RefundView.of(done.refund) if done.refund else None,
    )
