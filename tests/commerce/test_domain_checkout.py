"""Cart pricing and checkout drafting against live prices, without I/O."""

import uuid
from decimal import Decimal

import pytest

from domain.cart import price_cart
from domain.checkout import (
    AddressNotFound,
    CartChanged,
    OrderLine,
    PriceChanged,
    RequestedLine,
    delivery_address,
    draft_order,
    order_id_for,
)
from domain.pricing import MixedCurrency, ProductNotFound, ProductPrice, money

PRICES = {
    "prod_b": ProductPrice("prod_b", "Phone", Decimal("999.99"), "USD"),
    "prod_a": ProductPrice("prod_a", "Case", Decimal("19.50"), "USD"),
}


def test_money_keeps_two_decimals_exactly() -> None:
    assert money(999.99) == Decimal("999.99")
    assert money("0.005") == Decimal("0.01")
    assert money(3) == Decimal("3.00")


def test_cart_total_uses_live_prices_and_skips_products_gone_from_catalog() -> None:
    cart = price_cart({"prod_a": 2, "prod_b": 1, "prod_gone": 4}, PRICES)
    assert cart.total == Decimal("1038.99")
    assert cart.currency == "USD"
    assert [line.line_total for line in cart.lines] == [Decimal("39.00"), Decimal("999.99"), None]


def test_empty_cart_costs_nothing() -> None:
    cart = price_cart({}, {})
    assert (cart.lines, cart.total, cart.currency) == ([], Decimal("0.00"), "USD")


def test_one_cart_one_currency() -> None:
    euro = ProductPrice("prod_e", "Mug", Decimal("5"), "EUR")
    with pytest.raises(MixedCurrency):
        price_cart({"prod_a": 1, "prod_e": 1}, {**PRICES, "prod_e": euro})


def test_draft_sorts_lines_and_totals_at_live_prices() -> None:
    draft = draft_order(
        [
            RequestedLine("prod_b", 2, Decimal("999.99")),
            RequestedLine("prod_a", 1, Decimal("19.5")),
        ],
        cart={"prod_a": 1, "prod_b": 2, "prod_c": 7},
        prices=PRICES,
    )
    assert draft.lines == (
        OrderLine("prod_a", 1, Decimal("19.50")),
        OrderLine("prod_b", 2, Decimal("999.99")),
    )
    assert draft.total == Decimal("2019.48")
    assert draft.currency == "USD"
    assert draft.lines[1].as_json() == {"productId": "prod_b", "quantity": 2, "price": 999.99}


def test_draft_refuses_a_price_the_client_was_not_shown() -> None:
    with pytest.raises(PriceChanged) as refused:
        draft_order([RequestedLine("prod_b", 1, Decimal("899.99"))], {"prod_b": 1}, PRICES)
    assert refused.value.details == {"product_id": "prod_b", "live_price": 999.99}


@pytest.mark.parametrize("cart", [{"prod_a": 3}, {}])
def test_draft_refuses_quantities_the_cart_does_not_hold(cart: dict[str, int]) -> None:
    with pytest.raises(CartChanged) as refused:
        draft_order([RequestedLine("prod_a", 2, Decimal("19.50"))], cart, PRICES)
    assert refused.value.details["product_id"] == "prod_a"


def test_draft_refuses_products_gone_from_catalog() -> None:
    with pytest.raises(ProductNotFound):
        draft_order([RequestedLine("prod_x", 1, Decimal("1"))], {"prod_x": 1}, PRICES)


def test_order_id_is_derived_from_user_and_idempotency_key() -> None:
    user, other = uuid.uuid4(), uuid.uuid4()
    assert order_id_for(user, "k1") == order_id_for(user, "k1")
    assert order_id_for(user, "k1") != order_id_for(other, "k1")
    assert order_id_for(user, "k1") != order_id_for(user, "k2")
    assert order_id_for(user, None) != order_id_for(user, None)


def test_delivery_address_is_picked_from_the_address_book() -> None:
    home = {"addressId": str(uuid.uuid4()), "city": "Lyon"}
    assert delivery_address([home], uuid.UUID(home["addressId"])) == home
    assert delivery_address([home], None) is None
    with pytest.raises(AddressNotFound):
        delivery_address([home], uuid.uuid4())
