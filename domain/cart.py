"""Cart rules and the priced view of a cart (ids and quantities stored, prices looked up live)."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from domain.discounts import AppliedDiscount, discounted_total
from domain.errors import NotFound, Refusal
from domain.pricing import ProductPrice, common_currency, money

MAX_LINE_QUANTITY = 100
"""Upper bound of one cart line: stops typos and bots from hoarding a flash sale in one line."""


@dataclass(frozen=True)
class PricedLine:
    product_id: str
    quantity: int
    price: ProductPrice | None
    """None when the product left the catalog: shown, but neither counted nor purchasable."""

    @property
    def line_total(self) -> Decimal | None:
        return None if self.price is None else money(self.price.price * self.quantity)


@dataclass(frozen=True)
class PricedCart:
    lines: list[PricedLine]
    subtotal: Decimal
    """The purchasable lines at live prices."""
    currency: str
    discount: AppliedDiscount | None = None
    """The line of a discount code the shopper tries on the cart, if any."""

    @property
    def total(self) -> Decimal:
        return discounted_total(self.subtotal, self.discount)

    def discounted(self, discount: AppliedDiscount) -> "PricedCart":
        return replace(self, discount=discount)


def price_cart(quantities: Mapping[str, int], prices: Mapping[str, ProductPrice]) -> PricedCart:
    """Joins stored quantities with live prices; the subtotal covers purchasable lines only."""
    lines = [PricedLine(pid, qty, prices.get(pid)) for pid, qty in quantities.items()]
    live = [prices[pid] for pid in quantities if pid in prices]
    subtotal = sum((p.price * quantities[p.product_id] for p in live), Decimal(0))
    return PricedCart(lines=lines, subtotal=money(subtotal), currency=common_currency(live))


class CartNotFound(NotFound):
    code = "cart_not_found"

    def __init__(self, cart_id: uuid.UUID) -> None:
        super().__init__(f"cart {cart_id} not found", cart_id=str(cart_id))


class NotInCart(NotFound):
    code = "not_in_cart"

    def __init__(self, product_id: str) -> None:
        super().__init__(f"{product_id} is not in the cart", product_id=product_id)


class LineQuantityLimit(Refusal):
    code = "line_quantity_limit"

    def __init__(self, product_id: str) -> None:
        super().__init__(
            f"a cart line holds at most {MAX_LINE_QUANTITY} units of {product_id}",
            product_id=product_id,
        )
