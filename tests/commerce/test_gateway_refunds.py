"""The simulated gateway's refunds, through the storefront's own client, in process (no I/O):
a refund gives back a paid charge once per key, never more than was charged."""

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from adapters.gateway_wire import CardDetails
from adapters.payment_gateway import PaymentGateway
from config import Settings
from domain.payments import GatewayOutcome, PaymentStatus
from ops.payment_gateway.app import create_gateway_app

SECRET = "a-gateway-secret-for-tests"
CARD = CardDetails(number="4242424242424242", exp_month=12, exp_year=2040, cvc="123")
ORDER = uuid.uuid4()


@pytest.fixture
async def gateway() -> AsyncIterator[PaymentGateway]:
    app = create_gateway_app(Settings(gateway_secret=SecretStr(SECRET)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield PaymentGateway(http, retries=0, secret=SECRET)


async def paid(gateway: PaymentGateway, amount: str = "30.00") -> str:
    charged = await gateway.charge(f"charge-{uuid.uuid4()}", Decimal(amount), "USD", CARD, ORDER)
    assert charged.status is PaymentStatus.SUCCEEDED and charged.transaction_id
    return charged.transaction_id


async def test_a_refund_replayed_with_its_key_is_the_same_refund(gateway: PaymentGateway) -> None:
    charge = await paid(gateway)
    first = await gateway.refund("refund:p1", charge, Decimal("30.00"), ORDER)
    again = await gateway.refund("refund:p1", charge, Decimal("30.00"), ORDER)
    assert first.status is PaymentStatus.SUCCEEDED
    assert first.transaction_id and first.transaction_id.startswith("re_")
    assert again == first


async def test_never_more_than_the_charge_is_refunded(gateway: PaymentGateway) -> None:
    charge = await paid(gateway)
    await gateway.refund("refund:p1", charge, Decimal("20.00"), ORDER)
    too_much = await gateway.refund("refund:p2", charge, Decimal("10.01"), ORDER)
    assert too_much == GatewayOutcome.declined("amount_too_large")


async def test_an_unknown_charge_is_not_refunded(gateway: PaymentGateway) -> None:
    outcome = await gateway.refund("refund:p1", "ch_nope", Decimal("1.00"), ORDER)
    assert outcome == GatewayOutcome.declined("charge_not_found")


async def test_a_refund_key_reused_for_another_refund_is_refused(gateway: PaymentGateway) -> None:
    charge = await paid(gateway)
    await gateway.refund("refund:p1", charge, Decimal("5.00"), ORDER)
    reused = await gateway.refund("refund:p1", charge, Decimal("6.00"), ORDER)
    assert reused == GatewayOutcome.declined("idempotency_key_reused")
