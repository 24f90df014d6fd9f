"""HTTP models of order history, order status and the operator's shipping endpoints."""

import datetime as dt
import uuid

from pydantic import ConfigDict, Field

from adapters.wire import ApiModel, Money
from api.models.catalog import Pagination
from api.models.discounts import DiscountLine
from domain.discounts import AppliedDiscount
from domain.orders import OrderStatus
from domain.payments import PaymentStatus


class OrderedProduct(ApiModel):
    product_id: str
    quantity: int
    price: Money


class OrderSummary(ApiModel):
    order_id: uuid.UUID
    status: OrderStatus
    products: list[OrderedProduct]
    discount: DiscountLine | None = Field(description="The discount code's line, if any")
    total_amount: Money = Field(description="What the order costs, discount taken off")
    currency: str
    created_at: dt.datetime

    @classmethod
    def of(cls, order: dict) -> "OrderSummary":
        """From an orders row (history columns)."""
        code = order["discount_code"]
        return cls(
            order_id=order["order_id"],
            status=order["status"],
            products=order["products"],
            discount=DiscountLine.of(AppliedDiscount(code, order["discount_amount"]))
            if code
            else None,
            total_amount=order["total_amount"],
            currency=order["currency"],
            created_at=order["created_at"],
        )


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
    carrier: str | None
    estimated_delivery: dt.date | None
    history: list[StatusEntry] = Field(description="Every transition, oldest first")

    @classmethod
    def of(cls, order: dict, history: list[dict]) -> "OrderStatusView":
        """From an orders row (tracking columns) and its order_status_history rows."""
        return cls(
            order_id=order["order_id"],
            status=order["status"],
            tracking_number=order["tracking_number"],
            carrier=order["carrier"],
            estimated_delivery=order["estimated_delivery"],
            history=[StatusEntry(status=h["status"], changed_at=h["changed_at"]) for h in history],
        )


class ShipRequest(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "trackingNumber": "1Z999AA10123456784",
                    "carrier": "UPS",
                    "estimatedDelivery": "2026-12-08",
                }
            ]
        }
    )

    tracking_number: str | None = Field(
        None, min_length=1, max_length=64, description="Default: derived from the order id"
    )
    carrier: str | None = Field(None, min_length=1, max_length=64, examples=["UPS"])
    estimated_delivery: dt.date | None = Field(
        None, description="Default: today + settings.delivery_transit_days"
    )


class RefundView(ApiModel):
    status: PaymentStatus = Field(
        description="`SUCCEEDED`: refunded; `PENDING`/`UNKNOWN`: the gateway has not answered "
        "yet (cancel again to ask again); `FAILED`: refused, an operator settles it"
    )
    amount: Money
    currency: str
    refund_id: str | None = Field(description="The gateway's id of the refund")
    failure_reason: str | None

    @classmethod
    def of(cls, refund: dict) -> "RefundView":
        """From a refunds row."""
        return cls(
            status=refund["status"],
            amount=refund["amount"],
            currency=refund["currency"],
            refund_id=refund["gateway_refund_id"],
            failure_reason=refund["failure_reason"],
        )


class CancellationView(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "orderId": "3d5e7f90-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
                    "status": "CANCELLED",
                    "refund": {
                        "status": "SUCCEEDED",
                        "amount": 2024.48,
                        "currency": "USD",
                        "refundId": "re_3f9a1c2b7d4e5f60718293a4",
                        "failureReason": None,
                    },
                }
            ]
        }
    )

    order_id: uuid.UUID
    status: OrderStatus
    refund: RefundView | None = Field(description="The payment's refund; none: nothing was paid")
