"""HTTP models of the payment edge; only the card's last four digits are ever stored."""

import uuid
from typing import Literal

from pydantic import Field

from adapters.gateway_wire import CardDetails
from adapters.wire import ApiModel, Money
from domain.payments import ClientPaymentStatus


class PaymentRequest(ApiModel):
    order_id: uuid.UUID
    payment_method: Literal["card"]
    card_details: CardDetails
    amount: Money = Field(gt=0)


class PaymentResponse(ApiModel):
    status: ClientPaymentStatus
    transaction_id: str | None
    payment_id: uuid.UUID
    failure_reason: str | None = None
