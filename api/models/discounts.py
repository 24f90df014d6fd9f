"""HTTP models of discount codes: the operator's terms and views of a code, and the discount
line a cart or an order shows. Money is exact (``Decimal``, two places) and a plain JSON
number on the wire, like every price."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Self

from pydantic import AfterValidator, AwareDatetime, ConfigDict, Field, model_validator

from adapters.catalog_documents import Currency
from adapters.wire import ApiModel, CamelModel, Money
from api.models.catalog import Pagination
from domain.discounts import (
    CODE_PATTERN,
    AppliedDiscount,
    DiscountCode,
    DiscountType,
    normalise_code,
)

DiscountCodeText = Annotated[
    str,
    Field(pattern=CODE_PATTERN, max_length=32, examples=["SUMMER10"]),
    AfterValidator(normalise_code),
]
"""A code as typed, any case; it is used upper-case."""

MAX_COUNT = 1_000_000_000
"""Bound of a limit or cap (a Postgres INT holds it)."""

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


def _plausible(moment: dt.datetime) -> dt.datetime:
    """In UTC, within years 2000 to 9998: every moment Postgres stores reads back as a
    datetime, whatever offset it was sent with."""
    if not EARLIEST <= moment < LATEST:
        raise ValueError("must lie between 2000-01-01 and 9999-01-01 (UTC)")
    return moment.astimezone(dt.UTC)


Moment = Annotated[AwareDatetime, AfterValidator(_plausible)]


class DiscountTerms(ApiModel):
    """What a code gives and when (``PUT`` replaces all of them; its redemptions stay)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "percentage",
                    "value": 10,
                    "minSpend": 50,
                    "startsAt": "2030-06-01T00:00:00Z",
                    "endsAt": "2030-09-01T00:00:00Z",
                    "perCustomerLimit": 1,
                    "redemptionCap": 500,
                }
            ]
        }
    )

    type: DiscountType = Field(
        description="percentage: value is a percentage of the subtotal (below 100);"
        " fixed_amount: value is an amount in currency"
    )
    value: Money = Field(gt=0)
    currency: Currency = Field("USD", description="Orders in other currencies are refused")
    min_spend: Money = Field(
        Decimal(0), description="Least subtotal (before the discount) the code applies to"
    )
    starts_at: Moment | None = Field(None, description="Valid from (inclusive); none: at once")
    ends_at: Moment | None = Field(None, description="Valid until (exclusive); none: no end")
    per_customer_limit: int | None = Field(
        None, ge=1, le=MAX_COUNT, description="Live orders per customer with this code"
    )
    redemption_cap: int | None = Field(
        None, ge=1, le=MAX_COUNT, description="Live redemptions in all (never exceeded)"
    )

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.type is DiscountType.PERCENTAGE and self.value >= 100:
            raise ValueError("a percentage must be below 100")
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValueError("endsAt must be after startsAt")
        return self

    def of_code(self, code: str) -> DiscountCode:
        return DiscountCode(
            code=code,
            type=self.type,
            value=self.value,
            currency=self.currency,
            min_spend=self.min_spend,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            per_customer_limit=self.per_customer_limit,
            redemption_cap=self.redemption_cap,
        )


class DiscountCodeCreate(DiscountTerms):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "SUMMER10",
                    "type": "percentage",
                    "value": 10,
                    "minSpend": 50,
                    "endsAt": "2030-09-01T00:00:00Z",
                    "perCustomerLimit": 1,
                    "redemptionCap": 500,
                },
                {"code": "WELCOME5", "type": "fixed_amount", "value": 5, "currency": "USD"},
            ]
        }
    )

    code: DiscountCodeText

    def as_code(self) -> DiscountCode:
        return self.of_code(self.code)


class DiscountCodeView(CamelModel):
    """A code as stored: its terms, its live redemptions, and whether it is retired."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "SUMMER10",
                    "type": "percentage",
                    "value": 10.0,
                    "currency": "USD",
                    "minSpend": 50.0,
                    "startsAt": None,
                    "endsAt": "2030-09-01T00:00:00Z",
                    "perCustomerLimit": 1,
                    "redemptionCap": 500,
                    "redeemed": 37,
                    "retiredAt": None,
                    "createdAt": "2030-05-20T09:00:00Z",
                    "updatedAt": "2030-06-02T17:45:12Z",
                }
            ]
        }
    )

    code: str
    type: DiscountType
    value: Money
    currency: str
    min_spend: Money
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    per_customer_limit: int | None
    redemption_cap: int | None
    redeemed: int = Field(description="Live redemptions: orders reserved or sold with the code")
    retired_at: dt.datetime | None = Field(description="Set: the code applies to no new order")
    created_at: dt.datetime
    updated_at: dt.datetime


class DiscountCodesPage(CamelModel):
    codes: list[DiscountCodeView]
    pagination: Pagination


class DiscountLine(CamelModel):
    """The discount of a cart or an order: which code, and how much it takes off."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "SUMMER10", "amount": 7.5}]})

    code: str
    amount: Money

    @classmethod
    def of(cls, discount: AppliedDiscount | None) -> "DiscountLine | None":
        return None if discount is None else cls(code=discount.code, amount=discount.amount)
