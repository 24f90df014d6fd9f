"""HTTP models of the payment edge; only the card's last four digits are ever stored."""

import uuid
from typing import Literal

from pydantic import ConfigDict, Field

from adapters.gateway_wire import CardDetails
from adapters.wire import ApiModel, Money
from domain.payments import ClientPaymentStatus


class PaymentRequest(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "orderId": "3d5e7f90-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
                    "paymentMethod": "card",
                    "cardDetails": {
                        "number": "4242424242424242",
                        "expMonth": 12,
                        "expYear": 2030,
                        "cvc": "123",
                    },
                    "amount": 2024.48,
                }
            ]
        }
    )

    order_id: uuid.UUID
    payment_method: Literal["card"]
    card_details: CardDetails
    amount: Money = Field(gt=0)


class PaymentResponse(ApiModel):
    status: ClientPaymentStatus
    transaction_id: str | None
    payment_id: uuid.UUID
    failure_reason: str | None = None
