"""Discount codes as pure rules: what a code takes off an order, and when it may not be used.

A code is a percentage or a fixed amount off the order's subtotal (the sum of its lines at live
prices), in the code's currency. It may ask for a minimum spend (compared with the subtotal),
hold only within a validity window (``starts_at`` inclusive, ``ends_at`` exclusive), allow each
customer a number of live orders with it, and cap its live redemptions overall. A redemption is
live while its order is RESERVED or later sold; an order that gives its stock back (payment
failed, hold expired) gives its redemption back too, so the caps count only orders that can
still be paid for.

One code per order: codes do not stack. The order carries at most one discount line, and a
redemption is keyed by the order.

Postgres is the arbiter of every redemption, as it is of every unit of stock: checkout takes one
with a conditional increment under the code's row lock and asks ``Offer.apply`` again with what
it read under that lock (``adapters/discount_store.py``).

Shoppers cannot tell an unknown code from a retired one or one not started yet: all three are
``DiscountCodeNotFound`` with the same message, so guessing reveals no unreleased code and no
launch date. An expired code says so (a customer with an old newsletter learns why), without
its date; each of these failed lookups spends one of the shopper's budget
(``DiscountLookupsThrottled`` past it).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.errors import NotFound, Refusal, Throttled
from domain.pricing import CENT, money

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]{2,31}$"
"""What a code looks like as typed: 3 to 32 letters, digits, ``_`` or ``-``, starting with a
letter or digit; stored and compared upper-case (``normalise_code``)."""

MINIMUM_CHARGE = CENT
"""What an order costs at least after its discount: the payment edge and the gateway take only
positive amounts, and the shop has no path for orders that need no payment."""


def normalise_code(text: str) -> str:
    """Codes are case-insensitive for shoppers: ``summer10`` is ``SUMMER10``."""
    return text.upper()


class DiscountType(StrEnum):
    PERCENTAGE = "percentage"
    """``value`` is a percentage of the subtotal, above 0 and below 100."""
    FIXED_AMOUNT = "fixed_amount"
    """``value`` is an amount in the code's currency."""


@dataclass(frozen=True)
class DiscountCode:
    """A code's terms and how many live redemptions it has."""

    code: str
    type: DiscountType
    value: Decimal
    currency: str
    min_spend: Decimal = Decimal(0)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    per_customer_limit: int | None = None
    """Live orders one customer may hold with this code; None: no limit."""
    redemption_cap: int | None = None
    """Live redemptions in all; None: no cap."""
    redeemed: int = 0

    def amount_off(self, subtotal: Decimal) -> Decimal:
        """What the code takes off ``subtotal``: a percentage rounded half up to the cent, or
        the fixed amount; never so much that the order costs less than ``MINIMUM_CHARGE``."""
        if self.type is DiscountType.PERCENTAGE:
            wanted = money(subtotal * self.value / 100)
        else:
            wanted = money(self.value)
        return max(Decimal(0), min(wanted, money(subtotal) - MINIMUM_CHARGE))


@dataclass(frozen=True)
class AppliedDiscount:
    """The discount line of a cart or an order."""

    code: str
    amount: Decimal


def discounted_total(subtotal: Decimal, discount: AppliedDiscount | None) -> Decimal:
    """What the customer pays: the subtotal less the discount line, if any."""
    return money(subtotal - (discount.amount if discount else 0))


class Reason(StrEnum):
    """Why a known code does not apply to an order (``reason`` in the 409 body)."""

    EXPIRED = "expired"
    CURRENCY_MISMATCH = "currency_mismatch"
    BELOW_MINIMUM_SPEND = "below_minimum_spend"
    USED_UP = "used_up"
    CUSTOMER_LIMIT_REACHED = "customer_limit_reached"


class DiscountNotApplicable(Refusal):
    code = "discount_not_applicable"

    def __init__(self, discount_code: str, reason: Reason, message: str, **details: object) -> None:
        super().__init__(message, discount_code=discount_code, reason=reason.value, **details)
        self.reason = reason


class DiscountCodeNotFound(NotFound):
    code = "discount_code_not_found"

    def __init__(self, discount_code: str) -> None:
        super().__init__(f"no discount code {discount_code}", discount_code=discount_code)


class DiscountLookupsThrottled(Throttled):
    code = "discount_lookups_throttled"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"too many discount codes that do not exist; retry in {retry_after_seconds}s",
            retry_after_seconds,
        )


class DiscountCodeExists(Refusal):
    code = "discount_code_exists"

    def __init__(self, discount_code: str) -> None:
        super().__init__(
            f"discount code {discount_code} exists (codes are never reused: orders name them)",
            discount_code=discount_code,
        )


class DiscountCodeRetired(Refusal):
    code = "discount_code_retired"

    def __init__(self, discount_code: str) -> None:
        super().__init__(
            f"discount code {discount_code} is retired; create a new code instead",
            discount_code=discount_code,
        )


class CapBelowRedemptions(Refusal):
    code = "cap_below_redemptions"

    def __init__(self, discount_code: str, redeemed: int) -> None:
        super().__init__(
            f"discount code {discount_code} has {redeemed} live redemptions; the cap may not be"
            " lower",
            discount_code=discount_code,
            redeemed=redeemed,
        )


def used_up(discount_code: str) -> DiscountNotApplicable:
    return DiscountNotApplicable(
        discount_code, Reason.USED_UP, f"discount code {discount_code} has been used up"
    )


@dataclass(frozen=True)
class Offer:
    """A code as one customer may use it: its terms and state, and how many live orders of
    that customer use it already."""

    code: DiscountCode
    customer_uses: int

    def unavailable(self, now: datetime) -> Refusal | None:
        """Why no shopper may use the code at ``now``, whatever the order: one not started yet
        reads as unknown (its name and date stay secret until it starts), an expired one says
        so without its date. None while the code runs."""
        code = self.code
        if code.starts_at is not None and now < code.starts_at:
            return DiscountCodeNotFound(code.code)
        if code.ends_at is not None and now >= code.ends_at:
            return DiscountNotApplicable(
                code.code, Reason.EXPIRED, f"discount code {code.code} has expired"
            )
        return None

    def refusal(self, subtotal: Decimal, currency: str, now: datetime) -> Refusal | None:
        """Why the code does not apply to an order of ``subtotal`` in ``currency`` at ``now``;
        None when it does. The first reason found, lasting ones first."""
        if (gone := self.unavailable(now)) is not None:
            return gone
        code = self.code
        name = code.code
        if currency != code.currency:
            return DiscountNotApplicable(
                name,
                Reason.CURRENCY_MISMATCH,
                f"discount code {name} applies to orders in {code.currency}, not {currency}",
                currency=code.currency,
            )
        if money(subtotal) < money(code.min_spend):
            return DiscountNotApplicable(
                name,
                Reason.BELOW_MINIMUM_SPEND,
                f"discount code {name} needs a spend of at least {money(code.min_spend)}"
                f" {code.currency}",
                min_spend=float(money(code.min_spend)),
                subtotal=float(money(subtotal)),
            )
        if code.redemption_cap is not None and code.redeemed >= code.redemption_cap:
            return used_up(name)
        limit = code.per_customer_limit
        if limit is not None and self.customer_uses >= limit:
            return DiscountNotApplicable(
                name,
                Reason.CUSTOMER_LIMIT_REACHED,
                f"discount code {name} may be used on {limit} order(s) per customer",
                per_customer_limit=limit,
            )
        return None

    def apply(self, subtotal: Decimal, currency: str, now: datetime) -> AppliedDiscount:
        """The discount line for the order; raises the refusal when it has none."""
        if (refused := self.refusal(subtotal, currency, now)) is not None:
            raise refused
        return AppliedDiscount(self.code.code, self.code.amount_off(subtotal))
