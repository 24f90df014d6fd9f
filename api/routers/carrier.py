"""The carrier's tracking webhook: signed events moving shipped orders on to delivery."""

import time

from fastapi import APIRouter, Depends, Request

from adapters import carrier_wire
from api.deps import ServicesDep
from api.errors import ApiError, ErrorBody
from api.models.carrier import CarrierEventReceipt, CarrierEventRequest
from api.openapi import error_responses
from services import tracking

router = APIRouter(prefix="/carrier", tags=["carrier"])


async def signed_by_carrier(request: Request, services: ServicesDep) -> None:
    """401 unless the raw body carries a fresh signature under the carrier's shared secret."""
    secret = services.settings.carrier_webhook_secret
    assert secret is not None  # api.app.check_secrets made sure
    signed = carrier_wire.verify(
        secret.get_secret_value(),
        request.headers.get(carrier_wire.SIGNATURE_HEADER),
        request.headers.get(carrier_wire.TIMESTAMP_HEADER),
        await request.body(),
        int(time.time()),
    )
    if not signed:
        raise ApiError(401, "bad_signature", "the event is not signed by the carrier")


@router.post(
    "/events",
    dependencies=[Depends(signed_by_carrier)],
    responses={
        **error_responses(404),
        401: {
            "model": ErrorBody,
            "description": f"`{carrier_wire.SIGNATURE_HEADER}` or "
            f"`{carrier_wire.TIMESTAMP_HEADER}` missing, wrong or stale (`bad_signature`)",
        },
    },
)
async def receive_carrier_event(
    body: CarrierEventRequest, services: ServicesDep
) -> CarrierEventReceipt:
    """One tracking event (IN_TRANSIT, OUT_FOR_DELIVERY, DELIVERED, EXCEPTION) for the order
    shipped under its tracking number. Signed: ``X-Carrier-Signature: sha256=<hex>`` is the
    HMAC-SHA256 of ``"<X-Carrier-Timestamp>.<raw body>"`` under the shared secret; the
    timestamp must be within 5 minutes. Always 200 once accepted, whatever the event did:
    a repeated event id, an event older than one applied or one not ahead of the order's
    status changes nothing."""
    receipt = await tracking.receive(services, body.event)
    return CarrierEventReceipt(
        outcome=receipt.outcome,
        order_id=receipt.order_id,
        status=receipt.status,
        reason=receipt.reason,
    )
