"""HTTP models of the payment edge; only the card's last four digits are ever stored."""

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from domain.payments import ClientPaymentStatus
from schemas.api_model import ApiModel, Money


def _luhn_valid(number: str) -> str:
    digits = [int(d) for d in reversed(number)]
    checksum = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    if checksum % 10:
        raise ValueError("card number fails the Luhn check")
    return number


CardNumber = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{12,19}$"), AfterValidator(_luhn_valid)
]


class CardDetails(ApiModel):
    number: CardNumber
    exp_month: int = Field(ge=1, le=12)
    exp_year: int = Field(ge=2000, le=2100)
    cvc: Annotated[str, StringConstraints(pattern=r"^[0-9]{3,4}$")]


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
