"""The caller's cart. Lines hold product ids and quantities; GET prices them live.

- ``POST /cart/add`` adds to the line (a retry adds again: use PUT to set a quantity).
- ``PUT /cart/update`` sets a line's quantity; 0 removes the line; a product not in the cart
  is a 404 ``not_in_cart``.
- ``DELETE /cart/remove?productId=`` removes a line; removing an absent line is a no-op.
"""

from typing import Annotated

from fastapi import APIRouter, Query

from adapters import catalog_store
from api.auth import CurrentUser
from api.deps import ClientsDep, PricesDep
from api.errors import error_responses
from api.repositories import carts
from domain.cart import MAX_LINE_QUANTITY, LineQuantityLimit, NotInCart, price_cart
from domain.pricing import ProductNotFound
from schemas.cart import CartAddRequest, CartIdResponse, CartLineView, CartUpdateRequest, CartView
from schemas.catalog import ProductId

router = APIRouter(prefix="/cart", tags=["cart"], responses=error_responses(401, 404, 409))


@router.post("/add")
async def add_to_cart(
    body: CartAddRequest, user: CurrentUser, clients: ClientsDep
) -> CartIdResponse:
    if not await catalog_store.product_exists(clients.mongo, body.product_id):
        raise ProductNotFound(body.product_id)
    async with clients.pg.connection() as conn:
        cart_id = await carts.ensure_cart(conn, user.user_id)
        added = await carts.add_quantity(
            conn, cart_id, body.product_id, body.quantity, MAX_LINE_QUANTITY
        )
    if not added:
        raise LineQuantityLimit(body.product_id)
    return CartIdResponse(cart_id=cart_id)


@router.put("/update")
async def update_cart(
    body: CartUpdateRequest, user: CurrentUser, clients: ClientsDep
) -> CartIdResponse:
    async with clients.pg.connection() as conn:
        cart_id = await carts.ensure_cart(conn, user.user_id)
        if body.quantity == 0:
            await carts.remove_lines(conn, cart_id, [body.product_id])
        elif not await carts.set_quantity(conn, cart_id, body.product_id, body.quantity):
            raise NotInCart(body.product_id)
    return CartIdResponse(cart_id=cart_id)


@router.delete("/remove")
async def remove_from_cart(
    product_id: Annotated[ProductId, Query(alias="productId")],
    user: CurrentUser,
    clients: ClientsDep,
) -> CartIdResponse:
    async with clients.pg.connection() as conn:
        cart_id = await carts.ensure_cart(conn, user.user_id)
        await carts.remove_lines(conn, cart_id, [product_id])
    return CartIdResponse(cart_id=cart_id)


@router.get("")
async def view_cart(user: CurrentUser, clients: ClientsDep, prices: PricesDep) -> CartView:
    async with clients.pg.connection() as conn:
        cart_id = await carts.ensure_cart(conn, user.user_id)
        quantities = await carts.owned_cart_lines(conn, cart_id, user.user_id) or {}
    priced = price_cart(quantities, await prices.live_prices(quantities))
    return CartView(
        cart_id=cart_id,
        lines=[CartLineView.of(line) for line in priced.lines],
        total=priced.total,
        currency=priced.currency,
    )
