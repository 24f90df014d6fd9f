"""Discount codes as pure rules, without I/O: amounts and rounding, eligibility, stacking."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.cart import price_cart
from domain.checkout import RequestedLine, draft_order
from domain.discounts import (
    MINIMUM_CHARGE,
    AppliedDiscount,
    DiscountCode,
    DiscountCodeNotFound,
    DiscountNotApplicable,
    DiscountType,
    Offer,
    Reason,
    discounted_total,
    normalise_code,
)
from domain.pricing import ProductPrice

NOW = datetime(2030, 6, 15, 12, 0, tzinfo=UTC)
TEN_PERCENT = DiscountCode("SUMMER10", DiscountType.PERCENTAGE, Decimal("10"), "USD")
FIVE_OFF = DiscountCode("WELCOME5", DiscountType.FIXED_AMOUNT, Decimal("5.00"), "USD")


def offer(code: DiscountCode = TEN_PERCENT, customer_uses: int = 0, **terms: object) -> Offer:
    return Offer(replace(code, **terms), customer_uses)


def refused(offer: Offer, subtotal: str = "100.00", currency: str = "USD") -> Reason:
    with pytest.raises(DiscountNotApplicable) as refusal:
        offer.apply(Decimal(subtotal), currency, NOW)
    return refusal.value.reason


# amounts and rounding


@pytest.mark.parametrize(
    ("percent", "subtotal", "off"),
    [
        ("10", "100.00", "10.00"),
        ("15", "19.99", "3.00"),  # 2.9985 rounds half up
        ("12.5", "0.20", "0.03"),  # 0.025: a half cent rounds up
        ("12.5", "0.12", "0.02"),  # 0.015
        ("33.33", "10.00", "3.33"),  # 3.333
        ("0.01", "1.00", "0.00"),  # less than half a cent: nothing
    ],
)
def test_a_percentage_rounds_half_up_to_the_cent(percent: str, subtotal: str, off: str) -> None:
    code = replace(TEN_PERCENT, value=Decimal(percent))
    assert code.amount_off(Decimal(subtotal)) == Decimal(off)


def test_a_fixed_amount_is_taken_off_as_is() -> None:
    assert FIVE_OFF.amount_off(Decimal("42.10")) == Decimal("5.00")


@pytest.mark.parametrize(
    ("code", "subtotal"),
    [
        (FIVE_OFF, "3.00"),  # more off than the order costs
        (FIVE_OFF, "5.00"),  # exactly what it costs
        (replace(TEN_PERCENT, value=Decimal("99.99")), "0.01"),  # rounds up to all of it
        (replace(TEN_PERCENT, value=Decimal("99.99")), "0.05"),
    ],
)
def test_an_order_always_costs_at_least_the_minimum_charge(
    code: DiscountCode, subtotal: str
) -> None:
    off = code.amount_off(Decimal(subtotal))
    assert off >= 0
    assert Decimal(subtotal) - off >= MINIMUM_CHARGE


def test_the_discounted_total_is_the_subtotal_less_the_line() -> None:
    assert discounted_total(Decimal("80"), AppliedDiscount("X", Decimal("7.5"))) == Decimal("72.50")
    assert discounted_total(Decimal("80"), None) == Decimal("80.00")


def test_codes_compare_upper_case() -> None:
    assert normalise_code("summer10") == "SUMMER10"
    assert normalise_code("Black-Friday_24") == "BLACK-FRIDAY_24"


# eligibility


def test_an_eligible_order_gets_its_discount_line() -> None:
    assert offer().apply(Decimal("80.00"), "USD", NOW) == AppliedDiscount(
        "SUMMER10", Decimal("8.00")
    )


def test_the_window_starts_inclusive_and_ends_exclusive() -> None:
    assert offer(starts_at=NOW).refusal(Decimal(100), "USD", NOW) is None
    assert offer(ends_at=NOW + timedelta(seconds=1)).refusal(Decimal(100), "USD", NOW) is None
    assert refused(offer(ends_at=NOW)) is Reason.EXPIRED


def test_a_code_not_started_yet_reads_as_an_unknown_one() -> None:
    """No reason, no date: a stranger guessing learns nothing of an unreleased code."""
    early = offer(starts_at=NOW + timedelta(seconds=1))
    with pytest.raises(DiscountCodeNotFound) as not_started:
        early.apply(Decimal(100), "USD", NOW)
    unknown = DiscountCodeNotFound("SUMMER10")
    assert (not_started.value.code, not_started.value.message, not_started.value.details) == (
        unknown.code,
        unknown.message,
        unknown.details,
    )
    assert early.unavailable(NOW) is not None and early.unavailable(NOW + timedelta(1)) is None


def test_an_expiry_says_so_without_its_date() -> None:
    with pytest.raises(DiscountNotApplicable) as refusal:
        offer(ends_at=NOW).apply(Decimal(100), "USD", NOW)
    assert refusal.value.code == "discount_not_applicable"
    assert refusal.value.details == {"discount_code": "SUMMER10", "reason": "expired"}
    assert str(NOW.year) not in refusal.value.message


def test_a_code_applies_only_to_orders_in_its_currency() -> None:
    assert refused(offer(), currency="EUR") is Reason.CURRENCY_MISMATCH


def test_the_minimum_spend_is_compared_with_the_subtotal() -> None:
    assert offer(min_spend=Decimal("50")).refusal(Decimal("50.00"), "USD", NOW) is None
    with pytest.raises(DiscountNotApplicable) as refusal:
        offer(min_spend=Decimal("50")).apply(Decimal("49.99"), "USD", NOW)
    assert refusal.value.reason is Reason.BELOW_MINIMUM_SPEND
    assert refusal.value.details["min_spend"] == 50.0
    assert refusal.value.details["subtotal"] == 49.99


def test_a_capped_code_is_used_up_at_its_cap() -> None:
    assert offer(redemption_cap=50, redeemed=49).refusal(Decimal(100), "USD", NOW) is None
    assert refused(offer(redemption_cap=50, redeemed=50)) is Reason.USED_UP
    assert offer(redemption_cap=None, redeemed=10**6).refusal(Decimal(100), "USD", NOW) is None


def test_each_customer_may_hold_the_limit_of_live_orders() -> None:
    assert offer(customer_uses=1, per_customer_limit=2).refusal(Decimal(1), "USD", NOW) is None
    assert refused(offer(customer_uses=2, per_customer_limit=2)) is Reason.CUSTOMER_LIMIT_REACHED
    assert offer(customer_uses=99).refusal(Decimal(1), "USD", NOW) is None  # no limit


def test_lasting_reasons_come_first() -> None:
    """An expired code says so, whatever else is wrong with the order."""
    everything_wrong = offer(
        customer_uses=1,
        ends_at=NOW,
        min_spend=Decimal(500),
        per_customer_limit=1,
        redemption_cap=1,
        redeemed=1,
    )
    assert refused(everything_wrong, currency="EUR") is Reason.EXPIRED
    assert refused(offer(min_spend=Decimal(500), redemption_cap=1, redeemed=1)) is (
        Reason.BELOW_MINIMUM_SPEND
    )


# one code per order: the line of a later code replaces an earlier one

PRICES = {"prod_a": ProductPrice("prod_a", "Case", Decimal("19.50"), "USD")}


def test_an_order_draft_carries_one_discount_line() -> None:
    draft = draft_order([RequestedLine("prod_a", 4, Decimal("19.50"))], {"prod_a": 4}, PRICES)
    assert (draft.subtotal, draft.discount, draft.total) == (
        Decimal("78.00"),
        None,
        Decimal("78.00"),
    )
    ten = draft.discounted(offer().apply(draft.subtotal, draft.currency, NOW))
    assert (ten.discount, ten.total) == (
        AppliedDiscount("SUMMER10", Decimal("7.80")),
        Decimal("70.20"),
    )
    five = ten.discounted(Offer(FIVE_OFF, 0).apply(ten.subtotal, ten.currency, NOW))
    assert (five.discount, five.total) == (
        AppliedDiscount("WELCOME5", Decimal("5.00")),
        Decimal("73.00"),
    )


def test_a_cart_shows_the_line_of_the_code_tried_on_it() -> None:
    cart = price_cart({"prod_a": 2}, PRICES)
    discounted = cart.discounted(offer().apply(cart.subtotal, cart.currency, NOW))
    assert (discounted.subtotal, discounted.discount, discounted.total) == (
        Decimal("39.00"),
        AppliedDiscount("SUMMER10", Decimal("3.90")),
        Decimal("35.10"),
    )
