"""Money arithmetic on live catalog prices; nothing here trusts a price the client sent."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.errors import NotFound, Refusal

CENT = Decimal("0.01")


def money(amount: Decimal | float | int | str) -> Decimal:
    """Two-decimal Decimal; floats go through ``str`` so 999.99 stays 999.99."""
    return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ProductPrice:
    """What the catalog says a product costs right now."""

    product_id: str
    title: str
    price: Decimal
    currency: str


class ProductNotFound(NotFound):
    code = "product_not_found"

    def __init__(self, product_id: str) -> None:
        super().__init__(f"product {product_id} does not exist", product_id=product_id)


class MixedCurrency(Refusal):
    code = "mixed_currency"

    def __init__(self, currencies: Iterable[str]) -> None:
        listed = sorted(set(currencies))
        super().__init__(f"products are priced in several currencies: {', '.join(listed)}")


def common_currency(prices: Iterable[ProductPrice], default: str = "USD") -> str:
    """One order, one currency: raises MixedCurrency when the products disagree."""
    currencies = {p.currency for p in prices}
    if len(currencies) > 1:
        raise MixedCurrency(currencies)
    return currencies.pop() if currencies else default
