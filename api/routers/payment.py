"""The payment edge: charges a RESERVED order through the payment gateway adapter."""

from fastapi import APIRouter, Response

from api.auth import CurrentUser
from api.deps import ServicesDep
from api.models.payments import PaymentRequest, PaymentResponse
from api.openapi import error_responses
from api.params import IdempotencyKey
from domain.payments import PaymentStatus, client_status
from services import payments

router = APIRouter(tags=["payment"], responses=error_responses(401, 404, 409))


@router.post(
    "/payment",
    responses={202: {"model": PaymentResponse, "description": "Outcome unknown yet: retry later"}},
)
async def pay_order(
    body: PaymentRequest,
    user: CurrentUser,
    services: ServicesDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> PaymentResponse:
    """200 with ``success`` or ``failed`` once the gateway answered; 202 ``pending`` when it did
    not (timeout): retry the same request later to learn the outcome. Without an
    Idempotency-Key the order id is the key, so an order gets one attempt; after a decline,
    check out again."""
    request = payments.PaymentRequest(body.order_id, body.card_details, body.amount)
    row = await payments.pay(services, user.user_id, request, idempotency_key)
    status = PaymentStatus(row["status"])
    if not status.settled:
        response.status_code = 202
    return PaymentResponse(
        status=client_status(status),
        transaction_id=row["transaction_id"],
        payment_id=row["payment_id"],
        failure_reason=row["failure_reason"],
    )
