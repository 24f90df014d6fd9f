"""Turning what the client confirmed at checkout into an order draft, checked against live data.

The client sends the lines and prices it saw; every one must still match the cart and the
catalog, so nobody pays a price they were not shown and nobody buys what they no longer want.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from domain.discounts import AppliedDiscount, discounted_total
from domain.errors import NotFound, Refusal
from domain.pricing import ProductNotFound, ProductPrice, common_currency, money

ORDER_ID_NAMESPACE = uuid.UUID("6f1d1c5e-8a4b-4f47-9a51-2f0d3c6b9e10")


def order_id_for(user_id: uuid.UUID, idempotency_key: str | None) -> uuid.UUID:
    """Same user + same Idempotency-Key -> same order id, so a retried checkout finds its order."""
    if idempotency_key is None:
        return uuid.uuid4()
    return uuid.uuid5(ORDER_ID_NAMESPACE, f"{user_id}:{idempotency_key}")


@dataclass(frozen=True)
class RequestedLine:
    product_id: str
    quantity: int
    price: Decimal
    """The unit price the client was shown."""


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    quantity: int
    unit_price: Decimal

    def as_json(self) -> dict[str, object]:
        """Stored in ``orders.products``: the shape the design uses, price as a JSON number."""
        return {
            "productId": self.product_id,
            "quantity": self.quantity,
            "price": float(self.unit_price),
        }


@dataclass(frozen=True)
class OrderDraft:
    lines: tuple[OrderLine, ...]
    """Sorted by product id: every checkout locks inventory rows in the same order."""
    subtotal: Decimal
    currency: str
    discount: AppliedDiscount | None = None
    """At most one discount line: codes do not stack."""

    @property
    def total(self) -> Decimal:
        """What the order costs, discount taken off: the amount its payment must be."""
        return discounted_total(self.subtotal, self.discount)

    @property
    def product_ids(self) -> list[str]:
        return [line.product_id for line in self.lines]

    def discounted(self, discount: AppliedDiscount) -> "OrderDraft":
        """The same order with this discount line (in place of any other)."""
        return replace(self, discount=discount)


class CartChanged(Refusal):
    code = "cart_changed"

    def __init__(self, product_id: str, in_cart: int) -> None:
        super().__init__(
            f"{product_id}: the cart holds {in_cart}, not the quantity sent; reload the cart",
            product_id=product_id,
            cart_quantity=in_cart,
        )


class PriceChanged(Refusal):
    code = "price_changed"

    def __init__(self, product_id: str, live_price: Decimal) -> None:
        super().__init__(
            f"the price of {product_id} is now {live_price}",
            product_id=product_id,
            live_price=float(live_price),
        )


def draft_order(
    requested: Sequence[RequestedLine],
    cart: Mapping[str, int],
    prices: Mapping[str, ProductPrice],
) -> OrderDraft:
    """Checks each line against the cart quantity and the live price; raises on the first miss."""
    for line in requested:
        if cart.get(line.product_id) != line.quantity:
            raise CartChanged(line.product_id, cart.get(line.product_id, 0))
        live = prices.get(line.product_id)
        if live is None:
            raise ProductNotFound(line.product_id)
        if money(line.price) != money(live.price):
            raise PriceChanged(line.product_id, money(live.price))
    lines = tuple(
        OrderLine(line.product_id, line.quantity, money(prices[line.product_id].price))
        for line in sorted(requested, key=lambda line: line.product_id)
    )
    return OrderDraft(
        lines=lines,
        subtotal=money(sum((line.unit_price * line.quantity for line in lines), Decimal(0))),
        currency=common_currency(prices[line.product_id] for line in lines),
    )


class AddressNotFound(NotFound):
    code = "address_not_found"

    def __init__(self, address_id: uuid.UUID) -> None:
        super().__init__(f"address {address_id} not found", address_id=str(address_id))


def delivery_address(addresses: Sequence[dict], address_id: uuid.UUID | None) -> dict | None:
    """The chosen address copied onto the order, so later edits of the address book leave
    placed orders alone."""
    if address_id is None:
        return None
    for address in addresses:
        if address.get("addressId") == str(address_id):
            return address
    raise AddressNotFound(address_id)
