"""The order lifecycle as a state machine over the real engines, operations meeting at random.

A hypothesis ``RuleBasedStateMachine`` checks out orders through the storefront (in-process,
with its gateway process) and then acts on them, alone or two at once on the same order
(``race``): pay with each kind of test card (approved, declined, a timeout, a 5xx after
charging), cancel, let the holds expire, ship, report delivery by the carrier's webhook,
reconcile an unanswered payment, and deliver a payment's change record again with a stale or
forged status. The stack's orders worker settles payments from the real change records.

After every step Postgres conserves stock and no answer is a 5xx. When the machine stops, the
pipeline is left to go quiet (unanswered payments reconciled, every settlement applied, every
status recorded), then: the money audit and the stock audit of its orders and products pass,
and each order's status history is a legal walk of the lifecycle.
"""

import asyncio
import time
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from adapters import inventory_store
from adapters.connections import Clients, open_clients
from config import Settings
from domain.orders import OrderStatus, is_legal_path
from domain.payments import PaymentChange, PaymentStatus
from harness.factories import Shopper, create_product, create_shoppers, put_in_carts, sql
from harness.flows import carrier_event, checkout, post_carrier_event
from harness.inprocess import in_process_api
from ops.audit import Scope, audit
from ops.money_audit import audit_money
from ops.polling import until
from services.context import Services
from services.payments import reconcile
from services.settlement import expire_holds, settle_payment
from tests.commerce.test_payment_api import (
    APPROVED,
    DECLINED,
    FAILS_AFTER_CHARGING,
    STALLS,
    payment_body,
)
from tests.support.processes import GATEWAY_STALL_SECONDS

pytestmark = pytest.mark.engines

T = TypeVar("T")
RUNS = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PRICE = Decimal("10.00")
STOCKS = (3, 2)
SHOPPERS = 3
CARDS = {
    "pay:approved": APPROVED,
    "pay:declined": DECLINED,
    "pay:timeout": STALLS,
    "pay:5xx_after_charging": FAILS_AFTER_CHARGING,
}
ACTIONS = (
    *CARDS,
    "cancel",
    "expire",
    "ship",
    "deliver",
    "reconcile",
    "redeliver:SUCCEEDED",
    "redeliver:FAILED",
    "redeliver:PENDING",
)
QUIET_WITHIN_SECONDS = GATEWAY_STALL_SECONDS + 30


@dataclass
class World:
    """The engines and the storefront, reached from the machine's synchronous rules through
    one event loop."""

    run: Callable[[Coroutine[Any, Any, Any]], Any]
    api: httpx.AsyncClient
    services: Services
    stack: Clients
    """The stack's own clients (its Redis database, where the catalog worker mirrors stock)."""
    carrier_secret: str
    search_alias: str
    admin: Shopper

    @property
    def clients(self) -> Clients:
        return self.services.engines


@dataclass
class Placed:
    """A checkout the machine made; ``order_id`` None when it was refused (out of stock), so
    which orders exist never steers what hypothesis draws next."""

    order_id: str | None
    shopper: Shopper
    total: Decimal
    answers: list[tuple[str, int]] = field(default_factory=list)


class OrderLifecycle(RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.products: list[str] = []
        self.shoppers: list[Shopper] = []
        self.orders: list[Placed] = []
        self.server_errors: list[str] = []
        self._do(self._setup())

    def _do(self, work: Coroutine[Any, Any, T]) -> T:
        return self.world.run(work)

    async def _setup(self) -> None:
        clients = self.world.clients
        self.products = [await create_product(clients, price=PRICE, stock=n) for n in STOCKS]
        self.shoppers = await create_shoppers(clients, SHOPPERS)

    def _answered(self, what: str, response: httpx.Response) -> httpx.Response:
        if response.status_code >= 500:
            self.server_errors.append(f"{what}: {response.status_code} {response.text}")
        return response

    # checkout

    @rule(data=st.data(), quantity=st.integers(1, 2))
    def check_out(self, data: st.DataObject, quantity: int) -> None:
        shopper = data.draw(st.sampled_from(self.shoppers))
        product = data.draw(st.sampled_from(self.products))
        self._do(self._check_out(shopper, product, quantity))

    async def _check_out(self, shopper: Shopper, product: str, quantity: int) -> None:
        await sql(self.world.clients, "DELETE FROM cart_items WHERE cart_id = %s", shopper.cart_id)
        await put_in_carts(self.world.clients, [shopper], product, quantity)
        answer = self._answered(
            "checkout", await checkout(self.world.api, shopper, [(product, quantity, PRICE)])
        )
        assert answer.status_code in (201, 409), answer.text
        order_id = answer.json()["orderId"] if answer.status_code == 201 else None
        self.orders.append(Placed(order_id, shopper, PRICE * quantity))

    # operations on an order, alone or two at once

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), action=st.sampled_from(ACTIONS))
    def act(self, data: st.DataObject, action: str) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._do(self._act(action, order))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), first=st.sampled_from(ACTIONS), second=st.sampled_from(ACTIONS))
    def race(self, data: st.DataObject, first: str, second: str) -> None:
        order = data.draw(st.sampled_from(self.orders))
        self._do(self._both(self._act(first, order), self._act(second, order)))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), card=st.sampled_from(list(CARDS)), pay_first=st.booleans())
    def pay_and_cancel(self, data: st.DataObject, card: str, pay_first: bool) -> None:
        """The meeting that charged cancelled orders, given its own rule so that every run
        has it often."""
        order = data.draw(st.sampled_from(self.orders))
        pay, cancel = self._act(card, order), self._act("cancel", order)
        self._do(self._both(pay, cancel) if pay_first else self._both(cancel, pay))

    @staticmethod
    async def _both(*operations: Coroutine[Any, Any, None]) -> None:
        await asyncio.gather(*operations)

    async def _act(self, action: str, order: Placed) -> None:
        if order.order_id is None:
            return
        api, headers = self.world.api, order.shopper.headers
        if action in CARDS:
            body = payment_body(order.order_id, CARDS[action], amount=float(order.total))
            answer = await api.post("/v1/payment", json=body, headers=headers)
        elif action == "cancel":
            answer = await api.post(f"/v1/orders/{order.order_id}/cancel", headers=headers)
        elif action == "ship":
            admin = self.world.admin.headers
            answer = await api.post(f"/v1/admin/orders/{order.order_id}/ship", headers=admin)
        elif action == "deliver":
            answer = await self._carrier_delivers(order)
        else:
            await self._behind_the_api(action, order)
            return
        if answer is not None:
            order.answers.append((action, self._answered(action, answer).status_code))

    async def _carrier_delivers(self, order: Placed) -> httpx.Response | None:
        [row] = await sql(
            self.world.clients,
            "SELECT tracking_number FROM orders WHERE order_id = %s",
            order.order_id,
        )
        if row["tracking_number"] is None:
            return None
        event = carrier_event(row["tracking_number"], "DELIVERED", datetime.now(UTC))
        return await post_carrier_event(self.world.api, self.world.carrier_secret, event)

    async def _behind_the_api(self, action: str, order: Placed) -> None:
        """What the workers do: expire holds, reconcile, apply a payment's change record."""
        services = self.world.services
        if action == "expire":
            await sql(
                self.world.clients,
                "UPDATE reservations SET expires_at = now() - interval '1 second'"
                " WHERE order_id = %s",
                order.order_id,
            )
            await expire_holds(services, datetime.now(UTC))
        elif action == "reconcile":
            await reconcile(services, 0, [order.order_id])
        else:  # a payment's change record again, claiming a status Postgres may not hold
            payments = await sql(
                self.world.clients,
                "SELECT payment_id::text FROM payments WHERE order_id = %s",
                order.order_id,
            )
            claimed = PaymentStatus(action.split(":")[1])
            for payment in payments:
                change = PaymentChange(payment["payment_id"], order.order_id, claimed)
                await settle_payment(services, change)

    @invariant()
    def postgres_conserves_stock_and_no_answer_is_a_5xx(self) -> None:
        assert self.server_errors == []
        if not self.products:
            return
        levels, mixed = self._do(self._postgres_stock())
        assert all(level.conserved for level in levels), levels
        assert mixed == [], "an order both sold and released"

    async def _postgres_stock(self) -> tuple[list, list[str]]:
        async with self.world.clients.pg.connection() as conn:
            levels = await inventory_store.levels(conn, product_ids=self.products)
            mixed = [await inventory_store.mixed_orders(conn, p) for p in self.products]
            return levels, [order for found in mixed for order in found]

    def teardown(self) -> None:
        if order_ids := [order.order_id for order in self.orders if order.order_id]:
            self._do(self._quiet_then_audit(order_ids))

    async def _quiet_then_audit(self, order_ids: list[str]) -> None:
        await until(
            partial(self._unquiet, order_ids),
            timeout=QUIET_WITHIN_SECONDS,
            what="payments answered, settled and their statuses recorded",
            accept=lambda unquiet: not unquiet,
            interval=0.25,
        )
        money = await audit_money(self.world.clients, order_ids, grace_seconds=0)
        assert money.ok, (money.as_json(), self.story())
        histories = await self._histories(order_ids)
        for order_id, statuses in histories.items():
            assert is_legal_path(statuses), (order_id, statuses, self.story())
        scopes = [Scope(self.world.search_alias, product_prefix=p) for p in self.products]

        async def stock_rows() -> list:
            reports = [await audit(self.world.stack, scope, grace_seconds=0) for scope in scopes]
            return [row for report in reports for row in report.rows]

        assert all(row.conserved for row in await stock_rows())

        async def copies_agree() -> list:
            return [row for row in await stock_rows() if row.drifted]

        await until(
            copies_agree,
            timeout=30,
            what="the stock copies equal Postgres",
            accept=lambda drifted: not drifted,
            interval=0.25,
        )

    async def _unquiet(self, order_ids: list[str]) -> list[dict]:
        """The orders with a payment left unanswered (reconciled again while one is), a
        settled payment not applied yet, or a history short of their status."""
        await reconcile(self.world.services, 0, order_ids)
        rows = await sql(
            self.world.clients,
            "SELECT o.order_id::text, o.status,"
            " bool_or(p.status IN ('PENDING', 'UNKNOWN')) AS open,"
            " bool_or(p.status = 'SUCCEEDED') AS paid,"
            " bool_and(p.status = 'FAILED') AS failed,"
            " (SELECT h.status FROM order_status_history h WHERE h.order_id = o.order_id"
            "  ORDER BY h.changed_at DESC, h.status LIMIT 1) AS recorded"
            " FROM orders o LEFT JOIN payments p USING (order_id)"
            " WHERE o.order_id = ANY(%s::uuid[]) GROUP BY o.order_id, o.status",
            order_ids,
        )
        return [
            row
            for row in rows
            if row["open"]
            or (row["status"] == OrderStatus.RESERVED and (row["paid"] or row["failed"]))
            or row["recorded"] != row["status"]
        ]

    async def _histories(self, order_ids: list[str]) -> dict[str, list[OrderStatus]]:
        rows = await sql(
            self.world.clients,
            "SELECT order_id::text, status FROM order_status_history"
            " WHERE order_id = ANY(%s::uuid[]) ORDER BY order_id, changed_at, status",
            order_ids,
        )
        histories: dict[str, list[OrderStatus]] = {order_id: [] for order_id in order_ids}
        for row in rows:
            histories[row["order_id"]].append(OrderStatus(row["status"]))
        return histories

    def story(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """What each order was answered, for a failure's message."""
        return [(order.order_id, order.answers) for order in self.orders if order.order_id]


def test_orders_stay_conserved_whatever_meets_them(
    app_settings: Settings, settings: Settings, pipeline: Settings
) -> None:
    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        app, api = runner.run(stack.enter_async_context(in_process_api(app_settings)))
        own = runner.run(stack.enter_async_context(open_clients(settings, pool_size=4)))
        try:
            services: Services = app.state.services
            [admin] = runner.run(create_shoppers(services.engines, 1, role="admin"))
            world = World(
                runner.run,
                api,
                services,
                own,
                app_settings.carrier_webhook_secret.get_secret_value(),
                settings.search_alias,
                admin,
            )
            started = time.monotonic()
            run_state_machine_as_test(lambda: OrderLifecycle(world), settings=RUNS)
            print(f"\nlifecycle machine: {time.monotonic() - started:.0f}s")
        finally:
            runner.run(stack.aclose())
