"""Checkout: turns confirmed cart lines into a RESERVED order holding the stock."""

from fastapi import APIRouter

from api.auth import CurrentUser
from api.deps import PricesDep, ServicesDep
from api.models.checkout import CheckoutRequest, OrderIdResponse
from api.openapi import error_responses
from api.params import IdempotencyKey
from domain.checkout import RequestedLine
from services.checkout import CheckoutOrder, place_order

router = APIRouter(tags=["checkout"], responses=error_responses(401, 404, 409))


@router.post("/checkout", status_code=201)
async def checkout(
    body: CheckoutRequest,
    user: CurrentUser,
    services: ServicesDep,
    prices: PricesDep,
    idempotency_key: IdempotencyKey = None,
) -> OrderIdResponse:
    """409 ``out_of_stock``/``price_changed``/``cart_changed`` name the product concerned;
    404 ``discount_code_not_found`` (unknown, retired or not started yet: alike), 409
    ``discount_not_applicable`` with its ``reason`` (``expired``, ``currency_mismatch``,
    ``below_minimum_spend``, ``used_up``, ``customer_limit_reached``) refuse the discount
    code; 429 ``discount_lookups_throttled`` after too many codes that do not exist."""
    order = CheckoutOrder(
        cart_id=body.cart_id,
        lines=[RequestedLine(ln.product_id, ln.quantity, ln.price) for ln in body.products],
        address_id=body.address_id,
        discount_code=body.discount_code,
    )
    order_id = await place_order(services, prices, user.user_id, order, idempotency_key)
    return OrderIdResponse(order_id=order_id)
