"""Every copy of stock equals Postgres once everything is delivered, whatever the interleaving.

A hypothesis state machine drives the real operations on the real Postgres, Redis (with the
real Lua scripts) and FerretDB: checkouts admitted by the gate and decided by Postgres (won or
refused), the gate told late, payments succeeding and failing, expiry, an operator setting
stock, and the change log delivered to the Redis mirror and the catalog quantity in any order,
twice and late, with replays from part of the log in between. The test plays Debezium: after
every Postgres write it records the rows' new versions, and rules deliver those records.

After draining (every checkout decided and told, every record delivered): the mirror and the
catalog quantity equal Postgres' available count, nothing counts in flight at the gate, and
the gate admits exactly what Postgres has.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

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

from adapters import catalog_store, inventory_store
from adapters.catalog_store import CatalogQuantity
from adapters.connections import Clients
from adapters.migrations import apply_migrations
from adapters.stock_cache import CheckoutGate, StockMirror
from config import Settings
from domain.inventory import OutOfStock, StockChange, StockCopy, latest_per_product
from domain.payments import PaymentChange, PaymentStatus
from harness.factories import record_payment
from ops.stock_repair import overwrite_then_catch_up
from services.bootstrap import open_services
from services.context import Services
from services.settlement import expire_holds, settle_payment
from tests.stock.conftest import new_order

pytestmark = pytest.mark.engines

T = TypeVar("T")
PRODUCTS = 2
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
GATE_TTL = 60.0
RUNS = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@dataclass
class World:
    """The engines, reached from the machine's synchronous rules through one event loop."""

    run: Callable[[Coroutine[Any, Any, Any]], Any]
    services: Services
    tag: str

    @property
    def clients(self) -> Clients:
        return self.services.engines


@dataclass
class Checkout:
    order_id: uuid.UUID
    lines: list[tuple[str, int]]
    reserved: list[StockChange] = field(default_factory=list)  # empty: refused by Postgres


class StockInterleavings(RuleBasedStateMachine):
    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        run_id = f"{world.tag}-{uuid.uuid4().hex[:8]}"
        self.products = [f"{run_id}-p{i}" for i in range(PRODUCTS)]
        redis, prefix = world.clients.redis, f"{run_id}:"
        self.gate = CheckoutGate(redis, prefix)
        self.copies: dict[str, StockCopy] = {
            "mirror": StockMirror(redis, prefix),
            "quantity": CatalogQuantity(world.clients.mongo),
        }
        self.log: list[StockChange] = []  # every committed version, as Debezium captures them
        self.admitted: list[Checkout] = []  # past the gate, not decided by Postgres yet
        self.decided: list[Checkout] = []  # decided, the gate not told yet
        self.placed: list[str] = []  # orders Postgres reserved stock for
        self.user_id: uuid.UUID | None = None
        self._do(self._setup())

    def _do(self, work: Coroutine[Any, Any, T]) -> T:
        return self.world.run(work)

    async def _setup(self) -> None:
        mongo = self.world.clients.mongo
        for product_id in self.products:
            await catalog_store.create_product(mongo, {"productId": product_id})
        async with self.world.clients.pg.connection() as conn:
            await inventory_store.add_levels(conn, dict(zip(self.products, (3, 2), strict=True)))
            first = await new_order(conn)
            cur = await conn.execute("SELECT user_id FROM orders WHERE order_id = %s", (first,))
            self.user_id = (await cur.fetchone())["user_id"]
        await self._capture()

    async def _capture(self) -> None:
        """Record the versions Postgres committed since the last look (the change log)."""
        async with self.world.clients.pg.connection() as conn:
            levels = await inventory_store.levels(conn, product_ids=self.products)
        seen = {(change.product_id, change.version) for change in self.log}
        self.log += [lv.change for lv in levels if (lv.product_id, lv.version) not in seen]

    def _pick(self, data: st.DataObject, items: list[T]) -> T:
        return items.pop(data.draw(st.integers(0, len(items) - 1)))

    # checkout: the gate, then Postgres, then the gate told what Postgres decided

    @rule(data=st.data())
    def admit(self, data: st.DataObject) -> None:
        wanted = data.draw(
            st.dictionaries(st.sampled_from(self.products), st.integers(1, 3), min_size=1)
        )
        checkout = Checkout(uuid.uuid4(), sorted(wanted.items()))
        if self._do(self.gate.admit(checkout.order_id, checkout.lines, GATE_TTL)) is None:
            self.admitted.append(checkout)

    @precondition(lambda self: self.admitted)
    @rule(data=st.data())
    def decide(self, data: st.DataObject) -> None:
        self._do(self._decide(self._pick(data, self.admitted)))

    async def _decide(self, checkout: Checkout) -> None:
        try:
            async with self.world.clients.pg.connection() as conn, conn.transaction():
                order_id = await new_order(conn, self.user_id)
                checkout.reserved = await inventory_store.hold(conn, order_id, checkout.lines, 600)
            self.placed.append(str(order_id))
        except OutOfStock:
            checkout.reserved = []
        self.decided.append(checkout)
        await self._capture()

    @precondition(lambda self: self.decided)
    @rule(data=st.data())
    def tell_gate(self, data: st.DataObject) -> None:
        checkout = self._pick(data, self.decided)
        products = [product_id for product_id, _ in checkout.lines]
        self._do(self.gate.settle(checkout.order_id, products, checkout.reserved))

    # settlement and operators

    @precondition(lambda self: self.placed)
    @rule(data=st.data(), succeeded=st.booleans())
    def pay(self, data: st.DataObject, succeeded: bool) -> None:
        """The payment-outcome agent's handler, on a payment row's change."""
        order_id = data.draw(st.sampled_from(self.placed))
        status = PaymentStatus.SUCCEEDED if succeeded else PaymentStatus.FAILED
        self._do(self._pay(order_id, status))

    async def _pay(self, order_id: str, status: PaymentStatus) -> None:
        """The payment row the storefront writes (where it would start one), then its
        change reaching the payment-outcome agent's handler."""
        payment_id = await record_payment(self.world.clients, order_id, status)
        if payment_id is not None:
            payment = PaymentChange(payment_id, order_id, status)
            await self._then_capture(settle_payment(self.world.services, payment))

    @precondition(lambda self: self.placed)
    @rule(data=st.data())
    def expire(self, data: st.DataObject) -> None:
        """Time passes for one order's holds; then the expiry sweep's handler runs."""
        order_id = data.draw(st.sampled_from(self.placed))
        self._do(self._expire(order_id))

    async def _expire(self, order_id: str) -> None:
        async with self.world.clients.pg.connection() as conn:
            await conn.execute(
                "UPDATE reservations SET expires_at = now() - interval '1 second'"
                " WHERE order_id = %s",
                (order_id,),
            )
        await self._then_capture(expire_holds(self.world.services, datetime.now(UTC)))

    async def _then_capture(self, settling: Awaitable[object]) -> None:
        await settling
        await self._capture()

    @rule(data=st.data(), available=st.integers(0, 5))
    def set_stock(self, data: st.DataObject, available: int) -> None:
        product_id = data.draw(st.sampled_from(self.products))
        self._do(self._set_stock(product_id, available))

    async def _set_stock(self, product_id: str, available: int) -> None:
        async with self.world.clients.pg.connection() as conn:
            await inventory_store.set_available(conn, product_id, available)
        await self._capture()

    # the change log reaching the copies: any record, any order, any number of times

    @rule(data=st.data(), copy=st.sampled_from(["mirror", "quantity"]))
    def deliver(self, data: st.DataObject, copy: str) -> None:
        change = data.draw(st.sampled_from(self.log))
        self._do(self.copies[copy].apply(change))

    @rule(data=st.data(), copy=st.sampled_from(["mirror", "quantity"]))
    def replay(self, data: st.DataObject, copy: str) -> None:
        """A replay that read the log up to some point, beside the live deliveries."""
        read = self.log[: data.draw(st.integers(1, len(self.log)))]
        pg = self.world.clients.pg
        self._do(overwrite_then_catch_up(pg, self.copies[copy], latest_per_product(read), 4))

    @invariant()
    def postgres_conserves_stock(self) -> None:
        levels, mixed = self._do(self._postgres())
        assert all(level.conserved for level in levels), levels
        assert mixed == [], "an order both sold and released"

    async def _postgres(self) -> tuple[list, list[str]]:
        async with self.world.clients.pg.connection() as conn:
            levels = await inventory_store.levels(conn, product_ids=self.products)
            return levels, await inventory_store.mixed_orders(conn, self.products[0][:-1])

    def teardown(self) -> None:
        self._do(self._drain_and_compare())

    async def _drain_and_compare(self) -> None:
        while self.admitted:
            await self._decide(self.admitted.pop())
        for checkout in self.decided:
            products = [product_id for product_id, _ in checkout.lines]
            await self.gate.settle(checkout.order_id, products, checkout.reserved)
        for copy in self.copies.values():
            for change in reversed(self.log):  # each record once more, newest first
                await copy.apply(change)
        async with self.world.clients.pg.connection() as conn:
            levels = await inventory_store.levels(conn, product_ids=self.products)
        mirrored = await StockMirror(self.gate.redis, self.gate.keys.prefix).read(self.products)
        counted = await catalog_store.quantities(self.world.clients.mongo, self.products)
        for level in levels:
            pid, available = level.product_id, level.available
            assert (mirrored[pid], counted[pid]) == (available, available), (level, self.log)
            assert await self.gate.in_flight(pid) == 0
            assert await self.gate.first_short({pid: available}) is None
            assert await self.gate.first_short({pid: available + 1}) == pid


def test_copies_equal_postgres_after_any_interleaving(settings: Settings, require_engine) -> None:
    for engine in ("postgres", "redis", "ferretdb"):
        require_engine(engine)
    apply_migrations(settings)
    tag = f"stockprop{uuid.uuid4().hex[:8]}"
    own = settings.model_copy(update={"mongo_db": tag})
    with asyncio.Runner() as runner:
        stack = AsyncExitStack()
        services = runner.run(stack.enter_async_context(open_services(own, pool_size=4)))
        try:
            world = World(runner.run, services, tag)
            run_state_machine_as_test(lambda: StockInterleavings(world), settings=RUNS)
        finally:
            runner.run(_clean_up(services.engines, tag))
            runner.run(stack.aclose())


async def _clean_up(clients: Clients, tag: str) -> None:
    await clients.mongo.client.drop_database(clients.settings.mongo_db)
    if keys := [key async for key in clients.redis.scan_iter(match=f"{tag}-*")]:
        await clients.redis.delete(*keys)
