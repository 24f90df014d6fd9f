"""The caller's cart. Lines hold product ids and quantities; GET prices them live.

- ``POST /cart/add`` adds to the line (a retry adds again: use PUT to set a quantity).
- ``PUT /cart/update`` sets a line's quantity; 0 removes the line; a product not in the cart
  is a 404 ``not_in_cart``.
- ``DELETE /cart/remove?productId=`` removes a line; removing an absent line is a no-op.
"""

from typing import Annotated

from fastapi import APIRouter, Query

from adapters.catalog_documents import ProductId
from api.auth import CurrentUser
from api.deps import PricesDep, ServicesDep
from api.models.cart import (
    CartAddRequest,
    CartIdResponse,
    CartLineView,
    CartUpdateRequest,
    CartView,
)
from api.openapi import error_responses
from services import cart

router = APIRouter(prefix="/cart", tags=["cart"], responses=error_responses(401))


@router.post("/add", responses=error_responses(404, 409))
async def add_to_cart(
    body: CartAddRequest, user: CurrentUser, services: ServicesDep
) -> CartIdResponse:
    cart_id = await cart.add(services, user.user_id, body.product_id, body.quantity)
    return CartIdResponse(cart_id=cart_id)


@router.put("/update", responses=error_responses(404))
async def update_cart_line(
    body: CartUpdateRequest, user: CurrentUser, services: ServicesDep
) -> CartIdResponse:
    cart_id = await cart.set_quantity(services, user.user_id, body.product_id, body.quantity)
    return CartIdResponse(cart_id=cart_id)


@router.delete("/remove")
async def remove_from_cart(
    product_id: Annotated[ProductId, Query(alias="productId")],
    user: CurrentUser,
    services: ServicesDep,
) -> CartIdResponse:
    return CartIdResponse(cart_id=await cart.remove(services, user.user_id, product_id))


@router.get("", responses=error_responses(409))
async def get_cart(user: CurrentUser, services: ServicesDep, prices: PricesDep) -> CartView:
    cart_id, priced = await cart.view(services, prices, user.user_id)
    return CartView(
        cart_id=cart_id,
        lines=[CartLineView.of(line) for line in priced.lines],
        total=priced.total,
        currency=priced.currency,
    )
