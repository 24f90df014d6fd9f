"""Following one order across processes: a purchase through the running storefront (`make up`),
then `shopctl trace` finds its request, its rows, its CDC records and each agent's action."""

import json
import uuid

import httpx
import pytest
from typer.testing import CliRunner

from adapters.connections import Clients
from config import Settings, StreamsRole, streams_service
from harness.factories import Shopper
from harness.flows import place_order
from harness.shopdb import ShopDB
from ops.cli import app as shopctl
from ops.polling import wait_until
from streams.topics import ORDERS, PAYMENTS
from tests.commerce.test_payment_api import APPROVED, PRICE, pay, payment_body

pytestmark = pytest.mark.engines


@pytest.fixture
async def storefront(pipeline: Settings) -> httpx.AsyncClient:
    """The running storefront process (its logs are the ones `shopctl trace` reads)."""
    base_url = f"http://{pipeline.api_host}:{pipeline.api_port}"
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        yield client


def trace(order_id: str) -> list[dict]:
    result = CliRunner().invoke(shopctl, ["trace", order_id, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["steps"]


async def test_a_paid_order_is_traced_from_request_to_mail(
    storefront: httpx.AsyncClient, clients: Clients, shopper: Shopper, db: ShopDB, mailbox
) -> None:
    request_id = f"trace-{uuid.uuid4().hex[:12]}"
    storefront.headers["X-Request-ID"] = request_id
    order_id = await place_order(storefront, clients, shopper, PRICE, quantity=2)
    paid = await pay(storefront, shopper, payment_body(order_id, APPROVED))
    assert paid.json()["status"] == "success"
    assert paid.headers["X-Request-ID"] == request_id
    wait_until(lambda: mailbox(shopper.email), timeout=10, what="confirmation email")

    workers = clients.settings.streams_workers  # the cluster profile's split the partitions
    orders_logs = {f"log {streams_service(StreamsRole.ORDERS, n)}" for n in range(1, workers + 1)}

    def whole() -> list[dict]:  # each agent logs after its write: poll until all are there
        steps = trace(order_id)
        by_api = {s["what"] for s in steps if s["source"] == "log api"}
        by_orders_worker = {s["what"] for s in steps if s["source"] in orders_logs}
        done = {"POST /v1/checkout 201", "POST /v1/payment 200"} <= by_api and {
            f"order {order_id} -> CONFIRMED",
            "status CONFIRMED recorded and published",
        } <= by_orders_worker
        return steps if done else []

    steps, _ = wait_until(whole, timeout=10, what="every process's step in the trace")
    sources = {s["source"] for s in steps}
    topics = {f"kafka {spec.name(clients.settings)}" for spec in (ORDERS, PAYMENTS)}
    assert {"postgres", *topics} <= sources
    assert any(s["what"].startswith("sent ") for s in steps), "the mail's step"
    assert [s["at"] for s in steps] == sorted(s["at"] for s in steps)
    assert db.order_status(order_id) == "CONFIRMED"


def test_an_unknown_order_is_one_line_and_exit_1(pipeline: Settings) -> None:
    result = CliRunner().invoke(shopctl, ["trace", str(uuid.uuid4())])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert CliRunner().invoke(shopctl, ["trace", "not-a-uuid"]).exit_code == 2
