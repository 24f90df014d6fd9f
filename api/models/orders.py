"""HTTP models of order history, order status and the operator's shipping endpoints."""

import datetime as dt
import uuid

from pydantic import Field

from adapters.wire import ApiModel, Money
from api.models.catalog import Pagination
from domain.orders import OrderStatus


class OrderedProduct(ApiModel):
    product_id: str
    quantity: int
    price: Money


class OrderSummary(ApiModel):
    order_id: uuid.UUID
    status: OrderStatus
    products: list[OrderedProduct]
    total_amount: Money
    currency: str
    created_at: dt.datetime


class OrdersPage(ApiModel):
    orders: list[OrderSummary]
    pagination: Pagination


class StatusEntry(ApiModel):
    status: OrderStatus
    changed_at: dt.datetime


class OrderStatusEvent(ApiModel):
    """The data of each ``status`` event of an order's status stream, as
    ``adapters.status_feed.status_json`` writes it."""

    order_id: uuid.UUID
    status: OrderStatus
    changed_at: dt.datetime


class OrderStatusView(ApiModel):
    order_id: uuid.UUID
    status: OrderStatus
    tracking_number: str | None
    estimated_delivery: dt.date | None
    history: list[StatusEntry] = Field(description="Every transition, oldest first")

    @classmethod
    def of(cls, order: dict, history: list[dict]) -> "OrderStatusView":
        """From an orders row (tracking columns) and its order_status_history rows."""
        return cls(
            order_id=order["order_id"],
            status=order["status"],
            tracking_number=order["tracking_number"],
            estimated_delivery=order["estimated_delivery"],
            history=[StatusEntry(status=h["status"], changed_at=h["changed_at"]) for h in history],
        )


class ShipRequest(ApiModel):
    tracking_number: str | None = Field(
        None, min_length=1, max_length=64, description="Default: derived from the order id"
    )
    estimated_delivery: dt.date | None = Field(
        None, description="Default: today + settings.delivery_transit_days"
    )
