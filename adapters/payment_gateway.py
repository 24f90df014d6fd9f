"""Adapter to the card payment gateway (Stripe-style HTTP API with idempotency keys).

Every attempt of one payment carries the same idempotency key, so replaying after a timeout or a
5xx can never charge twice: the gateway answers a replay with the charge it already made.
"""

import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal

import httpx
from prometheus_client import Counter
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from adapters import gateway_wire
from adapters.gateway_wire import CardDetails
from adapters.metric_names import GATEWAY_RETRIES
from config import Settings
from domain.payments import GatewayOutcome, to_minor_units

RETRYABLE_STATUSES = frozenset({409, 429})
"""409: the same key is still being processed; 429: gateway throttling. Both: ask again later."""

RETRY_WAIT = wait_random_exponential(multiplier=0.1, max=2)
"""Full jitter: payments whose calls failed together (a gateway restart) do not replay in
lockstep; each replay waits up to 0.1 s, 0.2 s, 0.4 s ... (at most 2 s) before it."""

RETRIES = Counter(GATEWAY_RETRIES.name, GATEWAY_RETRIES.help, GATEWAY_RETRIES.labels)


class NoAnswer(Exception):
    """The gateway did not say what happened to the money; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
        """Succeeded or declined when the gateway answered for sure, else unknown (after
        ``retries`` replays with the same key, each counted in ``GATEWAY_RETRIES``)."""
        body = {
            "amount": to_minor_units(amount),
            "currency": currency.lower(),
            "card": card.model_dump(mode="json", by_alias=True),
            "metadata": {"orderId": str(order_id)},
        }
        return await self._post("/v1/charges", body, idempotency_key, _charge_outcome)

    async def refund(
        self, idempotency_key: str, charge_id: str, amount: Decimal, order_id: uuid.UUID
    ) -> GatewayOutcome:
        """Gives ``amount`` of the charge back: succeeded (the refund's id) or failed when the
        gateway answered for sure, else unknown; replays with the same key, as ``charge``."""
        body = {
            "charge": charge_id,
            "amount": to_minor_units(amount),
            "metadata": {"orderId": str(order_id)},
        }
        return await self._post("/v1/refunds", body, idempotency_key, _refund_outcome)

    async def void(self, idempotency_key: str) -> GatewayOutcome:
        """What the charge with ``idempotency_key`` came to, learnt without card details: the
        charge it made, its decline, or, when the gateway never received it, a decline the
        gateway then keeps for that key (a charge sent with it later takes nothing). Unknown
        while the charge is still running or the gateway does not answer."""
        return await self._post("/v1/charges/void", {}, idempotency_key, _charge_outcome)

    async def _post(
        self,
        path: str,
        body: dict,
        idempotency_key: str,
        outcome_of: Callable[[httpx.Response], GatewayOutcome],
    ) -> GatewayOutcome:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(NoAnswer),
            stop=stop_after_attempt(1 + self._retries),
            wait=RETRY_WAIT,
            before_sleep=_count_retry,
            retry_error_callback=_unknown,
        )
        return await retrying(self._post_once, path, body, idempotency_key, outcome_of)

    async def _post_once(
        self,
        path: str,
        body: dict,
        idempotency_key: str,
        outcome_of: Callable[[httpx.Response], GatewayOutcome],
    ) -> GatewayOutcome:
        raw, headers = self._signed(body)  # signed afresh: a retry may come minutes later
        try:
            response = await self._http.post(
                path,
                content=raw,
                headers={**headers, "Idempotency-Key": idempotency_key},
            )
        except httpx.TimeoutException as exc:
            raise NoAnswer("gateway_timeout") from exc
        except httpx.TransportError as exc:
            raise NoAnswer("gateway_unreachable") from exc
        if response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES:
            raise NoAnswer(f"gateway_http_{response.status_code}")
        return outcome_of(response)


def _no_answer(state: RetryCallState) -> NoAnswer:
    error = state.outcome.exception() if state.outcome else None
    assert isinstance(error, NoAnswer)  # the only error retried
    return error


def _count_retry(state: RetryCallState) -> None:
    RETRIES.labels(reason=_no_answer(state).reason).inc()


def _unknown(state: RetryCallState) -> GatewayOutcome:
    """Every call went unanswered: the outcome stays unknown, for a later replay to learn."""
    return GatewayOutcome.unknown(_no_answer(state).reason)


def _charge_outcome(response: httpx.Response) -> GatewayOutcome:
    """Only a 2xx (charged) or a 402 (card declined) says for sure what happened to the money;
    any other refusal means our request was wrong and leaves the payment for an operator."""
    if response.is_success:
        return GatewayOutcome.succeeded(response.json()["id"])
    if response.status_code == 402:
        error = response.json().get("error", {})
        return GatewayOutcome.declined(error.get("code", "card_declined"), error.get("charge"))
    return GatewayOutcome.unknown(f"gateway_rejected_{response.status_code}")


def _refund_outcome(response: httpx.Response) -> GatewayOutcome:
    """A 2xx refunded; any other answer is a refusal (no such charge, too much asked) that
    asking again cannot change: the refund is failed, for an operator to settle."""
    if response.is_success:
        return GatewayOutcome.succeeded(response.json()["id"])
    error = response.json().get("error", {})
    return GatewayOutcome.declined(error.get("code", f"gateway_rejected_{response.status_code}"))


@asynccontextmanager
async def open_gateway(settings: Settings) -> AsyncIterator[PaymentGateway]:
    """One pooled HTTP client per process (the API, the orders worker, shopctl), closed with
    it; the caller made sure the secret is set."""
    assert settings.gateway_secret is not None
    async with httpx.AsyncClient(
        base_url=settings.gateway_url, timeout=settings.gateway_timeout_seconds
    ) as http:
        yield PaymentGateway(
            http, settings.gateway_retries, settings.gateway_secret.get_secret_value()
        )
