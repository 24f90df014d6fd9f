"""The HTTP models of discount codes, without I/O: what an operator or a shopper may send."""

import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from api.models.checkout import CheckoutRequest
from api.models.discounts import DiscountCodeCreate, DiscountTerms
from domain.discounts import DiscountType

VALID = {"code": "summer10", "type": "percentage", "value": 10}


def test_a_code_is_stored_upper_case_with_defaults() -> None:
    created = DiscountCodeCreate.model_validate(VALID).as_code()
    assert (created.code, created.type, created.value) == (
        "SUMMER10",
        DiscountType.PERCENTAGE,
        Decimal("10"),
    )
    assert (created.currency, created.min_spend, created.redeemed) == ("USD", Decimal(0), 0)


def test_every_example_of_the_docs_is_valid() -> None:
    for model in (DiscountCodeCreate, DiscountTerms, CheckoutRequest):
        for example in model.model_config["json_schema_extra"]["examples"]:
            model.model_validate(example)


@pytest.mark.parametrize(
    "change",
    [
        {"code": "ab"},  # too short
        {"code": "A" * 33},
        {"code": "SUMMER\u000010"},
        {"code": "$where"},
        {"code": "SUMMER 10"},
        {"code": "-SUMMER"},
        {"code": {"$gt": ""}},
        {"code": 12345},
        {"value": 100},  # a percentage below 100
        {"value": 0},
        {"value": -5},
        {"value": "NaN"},
        {"value": "Infinity"},
        {"value": "1e999"},
        {"value": 1.001},
        {"type": "fixed_amount", "value": 10**12},
        {"type": "bogo"},
        {"currency": "usd"},
        {"minSpend": -1},
        {"perCustomerLimit": 0},
        {"redemptionCap": 2**31},
        {"startsAt": "2030-06-01T00:00:00"},  # no time zone
        {"startsAt": "0001-01-01T00:00:00+14:00"},
        {"endsAt": "9999-12-31T23:00:00-05:00"},
        {"startsAt": "2030-06-02T00:00:00Z", "endsAt": "2030-06-01T00:00:00Z"},
        {"startsAt": "2030-06-01T00:00:00Z", "endsAt": "2030-06-01T00:00:00Z"},
        {"redeemed": 0},  # not the operator's to set
    ],
)
def test_bad_terms_are_refused(change: dict) -> None:
    with pytest.raises(ValidationError):
        DiscountCodeCreate.model_validate({**VALID, **change})


def test_non_finite_json_numbers_are_refused() -> None:
    for token in ("NaN", "Infinity", "-Infinity", "1e999"):
        body = json.dumps({**VALID, "value": "VALUE"}).replace('"VALUE"', token)
        with pytest.raises(ValidationError):
            DiscountCodeCreate.model_validate(json.loads(body))


def test_a_fixed_amount_may_exceed_100() -> None:
    terms = DiscountTerms.model_validate({"type": "fixed_amount", "value": 150})
    assert terms.value == Decimal("150")


def test_checkout_takes_one_code_any_case() -> None:
    body = {
        "cartId": "3f2b8c1e-5d4a-4e6f-9b7c-2a1d0e9f8c7b",
        "products": [{"productId": "prod_1", "quantity": 1, "price": 1}],
    }
    assert CheckoutRequest.model_validate(body).discount_code is None
    coded = CheckoutRequest.model_validate({**body, "discountCode": "welcome5"})
    assert coded.discount_code == "WELCOME5"
    for refused in (["A1B", "C2D"], "x" * 10_000, "NUL\u0000CODE", {"$ne": None}):
        with pytest.raises(ValidationError):
            CheckoutRequest.model_validate({**body, "discountCode": refused})
