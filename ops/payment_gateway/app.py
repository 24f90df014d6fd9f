"""A small Stripe-style card gateway for local runs and tests (``python -m ops.payment_gateway``).

``POST /v1/charges``, ``POST /v1/charges/void`` and ``POST /v1/refunds`` need an
``Idempotency-Key``: the first request
with a key decides the outcome, every replay gets the same response (a replay while the first
is still running gets 409 ``idempotency_key_in_use``, as Stripe does). The card number picks a
charge's outcome: see cards.py. A refund gives back (part of) a succeeded charge.

Every ``/v1`` request must carry a valid ``Shop-Signature`` (``adapters.gateway_wire``,
HMAC with ``SHOP_GATEWAY_SECRET``), else 401: only the storefront can charge. The card number
and CVC are used while the request runs and never kept: charges hold the last four digits and
a keyed fingerprint, and a key's replay is matched by a keyed hash of the request.
"""

import asyncio
import datetime as dt
import time
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints

from adapters import gateway_wire
from adapters.gateway_wire import CardDetails
from adapters.wire import ApiModel
from config import Settings, get_settings
from ops.payment_gateway.cards import CardBehaviour, behaviour_of, decline_code
from ops.payment_gateway.errors import GatewayError, install_error_handlers
from ops.payment_gateway.ledger import Card, ChargeLedger


class ChargeRequest(ApiModel):
    amount: int = Field(gt=0, description="In the currency's minor unit (cents)")
    currency: Annotated[str, StringConstraints(pattern=r"^[a-z]{3}$")]
    card: CardDetails
    metadata: dict[str, str] = Field(default_factory=dict)


class RefundRequest(ApiModel):
    charge: str = Field(min_length=1, description="The succeeded charge's id")
    amount: int = Field(gt=0, description="In the currency's minor unit (cents)")
    metadata: dict[str, str] = Field(default_factory=dict)


RequiredIdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", min_length=1, max_length=255)
]


def create_gateway_app(settings: Settings | None = None) -> FastAPI:
    """Refuses to build without ``SHOP_GATEWAY_SECRET``: an unsigned gateway charges anyone."""
    settings = settings or get_settings()
    if settings.gateway_secret is None:
        raise RuntimeError("SHOP_GATEWAY_SECRET is not set (`make up` generates one)")
    secret = settings.gateway_secret.get_secret_value()
    ledger = ChargeLedger()

    async def signed(request: Request) -> None:
        header = request.headers.get(gateway_wire.HEADER)
        body = await request.body()
        if not gateway_wire.verify(secret, header, body, int(time.time())):
            raise GatewayError(401, "bad_signature", "the request is not signed by the storefront")

    app = FastAPI(title="shopstream test payment gateway", version="1")
    install_error_handlers(app)

    @app.post("/v1/charges", dependencies=[Depends(signed)])
    async def create_charge(
        body: ChargeRequest, idempotency_key: RequiredIdempotencyKey
    ) -> JSONResponse:
        fingerprint = gateway_wire.keyed_fingerprint(secret, body.model_dump_json())
        stored = ledger.replay(idempotency_key, fingerprint)
        if stored is not None:
            return JSONResponse(stored.body, stored.status_code)
        if idempotency_key in ledger.in_flight:
            raise GatewayError(409, "idempotency_key_in_use", "a request with this key is running")
        behaviour = behaviour_of(body.card.number)
        ledger.in_flight.add(idempotency_key)
        try:
            if behaviour is CardBehaviour.STALL_THEN_APPROVE:
                await asyncio.sleep(settings.gateway_slow_charge_seconds)
            declined = decline_code(
                behaviour, body.card.exp_month, body.card.exp_year, dt.date.today()
            )
            card = gateway_wire.keyed_fingerprint(secret, body.card.number)
            stored = ledger.record(
                idempotency_key,
                fingerprint,
                body.model_dump(mode="json", exclude={"card"}),
                Card(last4=body.card.number[-4:], fingerprint=card),
                declined,
            )
        finally:
            ledger.in_flight.discard(idempotency_key)
        if behaviour is CardBehaviour.APPROVE_THEN_FAIL:
            raise GatewayError(500, "api_error", "charged, but the gateway failed before answering")
        return JSONResponse(stored.body, stored.status_code)

    @app.post("/v1/refunds", dependencies=[Depends(signed)])
    async def create_refund(
        body: RefundRequest, idempotency_key: RequiredIdempotencyKey
    ) -> JSONResponse:
        fingerprint = gateway_wire.keyed_fingerprint(secret, body.model_dump_json())
        stored = ledger.replay(idempotency_key, fingerprint) or ledger.refund(
            idempotency_key, fingerprint, body.charge, body.amount, body.metadata
        )
        return JSONResponse(stored.body, stored.status_code)

    @app.post("/v1/charges/void", dependencies=[Depends(signed)])
    async def void_charge(idempotency_key: RequiredIdempotencyKey) -> JSONResponse:
        """What the charge with this key came to (409 while it runs); a key never seen is
        voided: a charge sent with it later is declined ``charge_voided``."""
        if idempotency_key in ledger.in_flight:
            raise GatewayError(409, "idempotency_key_in_use", "a request with this key is running")
        stored = ledger.void(idempotency_key)
        return JSONResponse(stored.body, stored.status_code)

    @app.get("/v1/charges", dependencies=[Depends(signed)])
    async def list_charges(order_id: Annotated[str, Query(alias="orderId")]) -> dict:
        """Charges made for one order (``metadata.orderId``): for tests and operators."""
        return {"data": ledger.charges_of_order(order_id)}

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    return app
