"""Checkout: turns confirmed cart lines into a RESERVED order holding the stock."""

from fastapi import APIRouter

from api.auth import CurrentUser
from api.deps import ClientsDep, PricesDep
from api.errors import error_responses
from api.params import IdempotencyKey
from api.services.checkout import place_order
from schemas.checkout import CheckoutRequest, OrderIdResponse

router = APIRouter(tags=["checkout"], responses=error_responses(401, 404, 409))


@router.post("/checkout", status_code=201)
async def checkout(
    body: CheckoutRequest,
    user: CurrentUser,
    clients: ClientsDep,
    prices: PricesDep,
    idempotency_key: IdempotencyKey = None,
) -> OrderIdResponse:
    """409 ``out_of_stock``/``price_changed``/``cart_changed`` name the product concerned."""
    order_id = await place_order(clients, prices, user.user_id, body, idempotency_key)
    return OrderIdResponse(order_id=order_id)
