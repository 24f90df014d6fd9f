"""The caller's cart. Lines hold product ids and quantities; GET prices them live.

- ``POST /cart/add`` adds to the line (a retry adds again: use PUT to set a quantity).
- ``PUT /cart/update`` sets a line's quantity; 0 removes the line; a product not in the cart
  is a 404 ``not_in_cart``.
- ``DELETE /cart/remove?productId=`` removes a line; removing an absent line is a no-op.
- ``GET /cart?discountCode=`` shows the discount line a code would give (nothing is redeemed:
  checkout does that).
"""

from typing import Annotated

from fastapi import APIRouter, Query

from adapters.catalog_documents import ProductId
from api.auth import CurrentUser
from api.deps import PricesDep, ServicesDep
from api.models.cart import (
    CartAddRequest,
    CartIdResponse,
    CartUpdateRequest,
    CartView,
)
from api.openapi import error_responses
from domain.discounts import CODE_PATTERN, normalise_code
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


@router.get("", responses=error_responses(404, 409))
async def get_cart(
    user: CurrentUser,
    services: ServicesDep,
    prices: PricesDep,
    discount_code: Annotated[
        str | None,
        Query(alias="discountCode", pattern=CODE_PATTERN, max_length=32, examples=["SUMMER10"]),
    ] = None,
) -> CartView:
    """Live prices and totals. With ``discountCode`` the discount line checkout would give
    now, or the refusal it would answer (404 ``discount_code_not_found``, 409
    ``discount_not_applicable`` with its ``reason``, 429 ``discount_lookups_throttled``)."""
    code = normalise_code(discount_code) if discount_code else None
    cart_id, priced = await cart.view(services, prices, user.user_id, code)
    return CartView.of(cart_id, priced)
