"""Payments nobody came back for are settled by asking the gateway (``services.payments.
reconcile``, the orders worker's timer), and kept charges of ended orders are refunded by the
money audit's repair: the storefront in-process with its gateway process, Postgres, CDC and
the stack's orders worker."""

import uuid
from decimal import Decimal
from functools import partial

import httpx
import pytest

from adapters import payments
from adapters.connections import Clients
from adapters.gateway_wire import CardDetails
from domain.payments import PaymentStatus
from harness.factories import Shopper, sql
from harness.shopdb import ShopDB
from ops.money_audit import audit_money, repair_money
from ops.polling import until, wait_until
from services.context import Services
from services.payments import reconcile
from tests.commerce.test_payment_api import (
    APPROVED,
    STALLS,
    charges_of,
    pay,
    payment_body,
    reserved_order,
)
from tests.support.processes import GATEWAY_STALL_SECONDS

pytestmark = pytest.mark.engines

SETTLED_WITHIN = 10.0


async def status_of_payment(clients: Clients, order_id: str) -> str:
    [row] = await sql(clients, "SELECT status FROM payments WHERE order_id = %s", order_id)
    return row["status"]


async def test_a_charge_the_customer_never_came_back_for_is_learnt_and_confirms(
    api: httpx.AsyncClient,
    clients: Clients,
    services: Services,
    shopper: Shopper,
    gateway_url: str,
    db: ShopDB,
) -> None:
    order_id = await reserved_order(api, clients, shopper)
    pending = await pay(api, shopper, payment_body(order_id, STALLS))
    assert pending.status_code == 202

    still_running = await reconcile(services, 0, [order_id])
    assert order_id not in {str(row["order_id"]) for row in still_running}
    assert await status_of_payment(clients, order_id) == "UNKNOWN"

    await until(
        partial(charges_of, gateway_url, order_id),
        timeout=GATEWAY_STALL_SECONDS + 10,
        what="the stalled charge recorded by the gateway",
    )
    settled = await reconcile(services, 0, [order_id])
    [row] = [row for row in settled if str(row["order_id"]) == order_id]
    assert row["status"] == PaymentStatus.SUCCEEDED
    wait_until(
        lambda: db.order_status(order_id) == "CONFIRMED", timeout=SETTLED_WITHIN, what="CONFIRMED"
    )
    assert db.holds(order_id) == {"SOLD"}
    assert (await audit_money(clients, [order_id])).ok


async def test_an_attempt_the_gateway_never_received_is_voided_and_released(
    api: httpx.AsyncClient,
    clients: Clients,
    services: Services,
    shopper: Shopper,
    gateway_url: str,
    db: ShopDB,
) -> None:
    """The API died between writing the PENDING row and calling the gateway."""
    order_id = await reserved_order(api, clients, shopper)
    async with services.unit_of_work() as uow:
        attempt = await payments.insert_pending(
            uow.conn,
            order_id=uuid.UUID(order_id),
            user_id=shopper.user_id,
            idempotency_key="abandoned",
            amount=Decimal("128.50"),
            currency="USD",
            card_last4="4242",
            request_id=None,
        )
    assert attempt is not None

    [voided] = [
        row for row in await reconcile(services, 0, [order_id]) if str(row["order_id"]) == order_id
    ]

    assert (voided["status"], voided["failure_reason"]) == ("FAILED", "charge_voided")
    wait_until(
        lambda: db.order_status(order_id) == "PAYMENT_FAILED",
        timeout=SETTLED_WITHIN,
        what="PAYMENT_FAILED",
    )
    assert db.holds(order_id) == {"RELEASED"}
    late = await services.payment_gateway.charge(
        str(attempt["payment_id"]),
        Decimal("128.50"),
        "USD",
        CardDetails.model_validate(payment_body(order_id, APPROVED)["cardDetails"]),
        uuid.UUID(order_id),
    )
    assert (late.status, late.failure_reason) == (PaymentStatus.FAILED, "charge_voided")
    assert await charges_of(gateway_url, order_id) == []


async def test_the_audit_refunds_a_charge_kept_for_an_order_that_ended(
    api: httpx.AsyncClient, clients: Clients, services: Services, shopper: Shopper, db: ShopDB
) -> None:
    """An order cancelled behind the payment's back (a hand-written UPDATE, or the race this
    issue fixed): the audit names it, its repair refunds the charge once."""
    order_id = await reserved_order(api, clients, shopper)
    assert (await pay(api, shopper, payment_body(order_id))).json()["status"] == "success"
    wait_until(
        lambda: db.order_status(order_id) == "CONFIRMED", timeout=SETTLED_WITHIN, what="CONFIRMED"
    )
    await sql(clients, "UPDATE orders SET status = 'CANCELLED' WHERE order_id = %s", order_id)

    found = await audit_money(clients, [order_id], grace_seconds=0)
    assert [(f.kind, f.refundable) for f in found.findings] == [("unrefunded_charge", True)]

    [refund] = await repair_money(services, found)
    assert refund["status"] == PaymentStatus.SUCCEEDED
    assert await repair_money(services, await audit_money(clients, [order_id])) == []
    [row] = await sql(clients, "SELECT count(*) AS n FROM refunds WHERE order_id = %s", order_id)
    assert row["n"] == 1
