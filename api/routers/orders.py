"""The caller's order history and the status of one order."""

import math
from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import CurrentUser
from api.deps import ClientsDep
from api.errors import error_responses
from api.params import OrderIdPath
from api.repositories import orders
from domain.orders import OrderNotFound
from schemas.catalog import MAX_PAGE_SIZE, Pagination
from schemas.orders import OrdersPage, OrderStatusView, OrderSummary

router = APIRouter(prefix="/orders", tags=["orders"], responses=error_responses(401, 404))


@router.get("")
async def order_history(
    user: CurrentUser,
    clients: ClientsDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> OrdersPage:
    """Newest first."""
    async with clients.pg.connection() as conn:
        rows, total = await orders.page_of(conn, user.user_id, size, (page - 1) * size)
    return OrdersPage(
        orders=[OrderSummary.model_validate(row) for row in rows],
        pagination=Pagination(
            page=page, size=size, total_pages=math.ceil(total / size), total_results=total
        ),
    )


@router.get("/{orderId}/status")
async def order_status(
    order_id: OrderIdPath, user: CurrentUser, clients: ClientsDep
) -> OrderStatusView:
    """``history`` comes from order_status_history, filled by the stream agents from CDC."""
    async with clients.pg.connection() as conn:
        order = await orders.tracking_of(conn, order_id, user.user_id)
        if order is None:
            raise OrderNotFound(order_id)
        history = await orders.history_of(conn, order_id)
    return OrderStatusView.of(order, history)
