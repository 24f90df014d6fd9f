"""Adapter to the card payment gateway (Stripe-style HTTP API with idempotency keys).

Every attempt of one payment carries the same idempotency key, so replaying after a timeout or a
5xx can never charge twice: the gateway answers a replay with the charge it already made.
"""

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import httpx

from adapters import gateway_wire
from adapters.gateway_wire import CardDetails
from config import Settings
from domain.payments import GatewayOutcome, to_minor_units

RETRYABLE_STATUSES = frozenset({409, 429})
"""409: the same key is still being processed; 429: gateway throttling. Both: ask again later."""


class PaymentGateway:
    def __init__(self, http: httpx.AsyncClient, retries: int, secret: str) -> None:
        self._http = http
        self._retries = retries
        self._secret = secret

    def _signed(self, body: dict) -> tuple[bytes, dict[str, str]]:
        raw = json.dumps(body, separators=(",", ":")).encode()
        signature = gateway_wire.sign(self._secret, int(time.time()), raw)
        return raw, {gateway_wire.HEADER: signature, "Content-Type": "application/json"}

    async def charge(
        self,
        idempotency_key: str,
        amount: Decimal,
        currency: str,
        card: CardDetails,
        order_id: uuid.UUID,
    ) -> GatewayOutcome:
        """Succeeded or declined when the gateway answered for sure, else unknown."""
        body = {
            "amount": to_minor_units(amount),
            "currency": currency.lower(),
            "card": card.model_dump(mode="json", by_alias=True),
            "metadata": {"orderId": str(order_id)},
        }
        reason = "gateway_not_called"
        for _ in range(1 + self._retries):
            raw, headers = self._signed(body)  # signed afresh: a retry may come minutes later
            try:
                response = await self._http.post(
                    "/v1/charges",
                    content=raw,
                    headers={**headers, "Idempotency-Key": idempotency_key},
                )
            except httpx.TimeoutException:
                reason = "gateway_timeout"
                continue
            except httpx.TransportError:
                reason = "gateway_unreachable"
                continue
            if response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES:
                reason = f"gateway_http_{response.status_code}"
                continue
            return _definitive_outcome(response)
        return GatewayOutcome.unknown(reason)


def _definitive_outcome(response: httpx.Response) -> GatewayOutcome:
    """Only a 2xx (charged) or a 402 (card declined) says for sure what happened to the money;
    any other refusal means our request was wrong and leaves the payment for an operator."""
    if response.is_success:
        return GatewayOutcome.succeeded(response.json()["id"])
    if response.status_code == 402:
        error = response.json().get("error", {})
        return GatewayOutcome.declined(error.get("code", "card_declined"), error.get("charge"))
    return GatewayOutcome.unknown(f"gateway_rejected_{response.status_code}")


@asynccontextmanager
async def open_gateway(settings: Settings) -> AsyncIterator[PaymentGateway]:
    """One pooled HTTP client per API process, closed with it."""
    assert settings.gateway_secret is not None  # api.app.check_secrets made sure
    async with httpx.AsyncClient(
        base_url=settings.gateway_url, timeout=settings.gateway_timeout_seconds
    ) as http:
        yield PaymentGateway(
            http, settings.gateway_retries, settings.gateway_secret.get_secret_value()
        )
