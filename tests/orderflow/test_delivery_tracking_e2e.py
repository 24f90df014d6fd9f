"""A paid order shipped by an operator and tracked by the carrier's signed webhook: the
tracking events reach the status history through CDC and the history agent."""

import datetime as dt

import httpx
import pytest

from adapters.connections import Clients
from harness.factories import Shopper, create_shopper
from harness.flows import carrier_event, place_order, post_carrier_event
from harness.shopdb import ShopDB
from ops.polling import eventually, wait_until
from ops.trace import trace
from tests.commerce.test_payment_api import APPROVED, PRICE, pay, payment_body

pytestmark = pytest.mark.engines

WITHIN = 5.0
LIFECYCLE = ["RESERVED", "CONFIRMED", "SHIPPED", "IN_TRANSIT", "DELIVERED"]


async def test_carrier_events_reach_the_status_history(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, db: ShopDB
) -> None:
    admin = await create_shopper(clients, role="admin")
    secret = clients.settings.carrier_webhook_secret
    assert secret is not None, "run `make up`: it generates SHOP_CARRIER_WEBHOOK_SECRET"
    order_id = await place_order(api, clients, shopper, PRICE, quantity=2)
    assert (await pay(api, shopper, payment_body(order_id, APPROVED))).json()["status"] == "success"
    wait_until(lambda: db.order_status(order_id) == "CONFIRMED", timeout=WITHIN, what="CONFIRMED")
    shipped = await api.post(f"/v1/admin/orders/{order_id}/ship", headers=admin.headers)
    tracking = shipped.json()["trackingNumber"]

    async def history() -> list[str]:
        answer = await api.get(f"/v1/orders/{order_id}/status", headers=shopper.headers)
        return [h["status"] for h in answer.json()["history"]]

    now = dt.datetime.now(dt.UTC)
    sent = []
    for offset, kind in enumerate(("IN_TRANSIT", "DELIVERED")):
        event = carrier_event(tracking, kind, now + dt.timedelta(seconds=offset))
        answer = await post_carrier_event(api, secret.get_secret_value(), event)
        assert answer.json()["outcome"] == "applied", answer.text
        sent.append((event["eventId"], kind, now + dt.timedelta(seconds=offset)))

    assert await eventually(history, LIFECYCLE, timeout=WITHIN) == LIFECYCLE
    traced = [step.what for step in trace(clients.settings, order_id, logs=[])]
    assert [w for w in traced if w.startswith("carrier event")] == [
        f"carrier event {e} {kind} (at {t:%H:%M:%S}): applied" for e, kind, t in sent
    ]
