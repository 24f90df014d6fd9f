"""The caller's cart: lines hold product ids and quantities; viewing prices them live."""

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from adapters import carts
from adapters.prices import PriceReader
from domain.cart import MAX_LINE_QUANTITY, LineQuantityLimit, NotInCart, PricedCart, price_cart
from domain.pricing import ProductNotFound
from services import catalog, discounts
from services.context import Services


async def add(services: Services, user_id: uuid.UUID, product_id: str, quantity: int) -> uuid.UUID:
    """Adds to the line (a retry adds again); the cart's id."""
    if not await catalog.is_listed(services, product_id):
        raise ProductNotFound(product_id)
    async with services.unit_of_work() as uow:
        cart_id = await carts.ensure_cart(uow.conn, user_id)
        added = await carts.add_quantity(uow.conn, cart_id, product_id, quantity, MAX_LINE_QUANTITY)
    if not added:
        raise LineQuantityLimit(product_id)
    return cart_id


async def set_quantity(
    services: Services, user_id: uuid.UUID, product_id: str, quantity: int
) -> uuid.UUID:
    """0 removes the line; a product not in the cart is refused (``NotInCart``)."""
    async with services.unit_of_work() as uow:
        cart_id = await carts.ensure_cart(uow.conn, user_id)
        if quantity == 0:
            await carts.remove_lines(uow.conn, cart_id, [product_id])
        elif not await carts.set_quantity(uow.conn, cart_id, product_id, quantity):
            raise NotInCart(product_id)
    return cart_id


async def remove(services: Services, user_id: uuid.UUID, product_id: str) -> uuid.UUID:
    """Removing an absent line changes nothing."""
    async with services.unit_of_work() as uow:
        cart_id = await carts.ensure_cart(uow.conn, user_id)
        await carts.remove_lines(uow.conn, cart_id, [product_id])
    return cart_id


async def view(
    services: Services, prices: PriceReader, user_id: uuid.UUID, discount_code: str | None = None
) -> tuple[uuid.UUID, PricedCart]:
    """The cart at live prices; with a discount code, its discount line as checkout would give
    it now (or the refusal checkout would answer)."""
    async with services.unit_of_work() as uow:
        cart_id = await carts.ensure_cart(uow.conn, user_id)
        quantities: Mapping[str, int] = (
            await carts.owned_cart_lines(uow.conn, cart_id, user_id) or {}
        )
        offer = (
            await discounts.shopper_offer(services, uow.conn, discount_code, user_id)
            if discount_code
            else None
        )
    priced = price_cart(quantities, await prices.live_prices(quantities))
    if offer is not None:
        now = datetime.now(UTC)
        priced = priced.discounted(offer.apply(priced.subtotal, priced.currency, now))
    return cart_id, priced
