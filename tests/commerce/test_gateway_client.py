"""The storefront's gateway client asks again, with the same idempotency key, only when the
gateway did not say what happened to the money; each repeat is counted.

Pure: the client's decisions against scripted answers (httpx's MockTransport), not the gateway
(tests/commerce/test_payment_api.py runs the real gateway process).
"""

import uuid
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest
from prometheus_client import REGISTRY

from adapters.gateway_wire import CardDetails
from adapters.metric_names import GATEWAY_RETRIES
from adapters.payment_gateway import PaymentGateway
from domain.payments import GatewayOutcome

CARD = CardDetails(number="4242424242424242", exp_month=12, exp_year=2040, cvc="987")

Answer = httpx.Response | type[httpx.TransportError]


def scripted(answers: list[Answer], keys: list[str]) -> Callable[[httpx.Request], httpx.Response]:
    """Answers the calls in order, noting each call's idempotency key."""

    def handle(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["Idempotency-Key"])
        answer = answers[len(keys) - 1]
        if isinstance(answer, httpx.Response):
            return answer
        raise answer("scripted", request=request)

    return handle


async def charge(answers: list[Answer], retries: int) -> tuple[GatewayOutcome, list[str]]:
    keys: list[str] = []
    transport = httpx.MockTransport(scripted(answers, keys))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        gateway = PaymentGateway(http, retries, secret="s" * 32)
        outcome = await gateway.charge("key-1", Decimal("19.99"), "USD", CARD, uuid.uuid4())
    return outcome, keys


def retried(reason: str) -> float:
    (series,) = GATEWAY_RETRIES.series()
    return REGISTRY.get_sample_value(series, {"reason": reason}) or 0.0


CHARGED = httpx.Response(201, json={"id": "ch_1"})


@pytest.mark.parametrize(
    ("first", "reason"),
    [
        (httpx.Response(503), "gateway_http_503"),
        (httpx.Response(409), "gateway_http_409"),
        (httpx.Response(429), "gateway_http_429"),
        (httpx.ReadTimeout, "gateway_timeout"),
        (httpx.ConnectError, "gateway_unreachable"),
    ],
)
async def test_an_unanswered_call_is_repeated_with_the_same_key(first: Answer, reason: str) -> None:
    before = retried(reason)
    outcome, keys = await charge([first, CHARGED], retries=1)
    assert outcome == GatewayOutcome.succeeded("ch_1")
    assert keys == ["key-1", "key-1"]
    assert retried(reason) == before + 1


async def test_after_the_last_retry_the_outcome_is_unknown_with_the_last_reason() -> None:
    outcome, keys = await charge([httpx.Response(502), httpx.ReadTimeout], retries=1)
    assert outcome == GatewayOutcome.unknown("gateway_timeout")
    assert len(keys) == 2


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (CHARGED, GatewayOutcome.succeeded("ch_1")),
        (
            httpx.Response(402, json={"error": {"code": "insufficient_funds", "charge": "ch_2"}}),
            GatewayOutcome.declined("insufficient_funds", "ch_2"),
        ),
        (httpx.Response(400), GatewayOutcome.unknown("gateway_rejected_400")),
    ],
)
async def test_a_definite_answer_is_never_repeated(
    answer: httpx.Response, outcome: GatewayOutcome
) -> None:
    assert await charge([answer], retries=3) == (outcome, ["key-1"])


async def test_no_retries_means_one_call() -> None:
    outcome, keys = await charge([httpx.Response(500)], retries=0)
    assert (outcome, keys) == (GatewayOutcome.unknown("gateway_http_500"), ["key-1"])


async def refund(answers: list[Answer], retries: int) -> tuple[GatewayOutcome, list[str]]:
    keys: list[str] = []
    transport = httpx.MockTransport(scripted(answers, keys))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        gateway = PaymentGateway(http, retries, secret="s" * 32)
        outcome = await gateway.refund("refund:p1", "ch_1", Decimal("19.99"), uuid.uuid4())
    return outcome, keys


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (httpx.Response(200, json={"id": "re_1"}), GatewayOutcome.succeeded("re_1")),
        (
            httpx.Response(404, json={"error": {"code": "charge_not_found"}}),
            GatewayOutcome.declined("charge_not_found"),
        ),
        (httpx.Response(400, json={}), GatewayOutcome.declined("gateway_rejected_400")),
    ],
)
async def test_a_refund_answer_is_final(answer: httpx.Response, outcome: GatewayOutcome) -> None:
    assert await refund([answer], retries=3) == (outcome, ["refund:p1"])


async def test_an_unanswered_refund_is_asked_again_with_the_same_key() -> None:
    outcome, keys = await refund([httpx.ReadTimeout, httpx.Response(200, json={"id": "re_1"})], 1)
    assert (outcome, keys) == (GatewayOutcome.succeeded("re_1"), ["refund:p1", "refund:p1"])
    assert await refund([httpx.Response(503)], retries=0) == (
        GatewayOutcome.unknown("gateway_http_503"),
        ["refund:p1"],
    )
