"""Faults under a stream of paid orders, on the running stack (`make up`).

Each scenario starts a bounded stream of orders (checkout, then payment with an approved card,
both with Idempotency-Keys and retried on 5xx or a dropped connection, from many loopback
addresses), injects one fault a third of the way in, and when the stream has ended checks:
every order whose payment succeeded reached CONFIRMED, exactly once (one succeeded payment per
order, the units sold once), and the stock audit of the scenario's product passes. It prints
the longest time a paid order waited for its confirmation: the recovery time the fault cost.
The supervisors restart what was killed; nothing here restarts it by hand, except where the
scenario says the fault lasts a fixed time. On the cluster profile (`make up PROFILE=cluster`)
`kill-broker` kills the broker leading the orders topic, `kafka-down-30s` stops all three, and
`kill-workers` kills one worker of each role while its twin carries on.

    python -m bench.faults                           # every scenario
    python -m bench.faults --scenario kill-broker --seconds 40 --rate 10
"""

import argparse
import asyncio
import contextlib
import itertools
import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
import psycopg
from kafka import KafkaAdminClient

from adapters.connections import Clients, open_clients
from config import KafkaUser, Settings, StreamsRole, get_settings, streams_service
from harness.factories import Shopper, create_product, create_shoppers, put_in_carts, sql
from harness.flows import checkout
from harness.loopback import clients_by_address
from ops import audit
from ops.polling import NotReached, until
from ops.replay import Target, replay
from ops.stack import stack
from ops.stack.engine import Engine
from ops.stack.engines.kafka import broker_name, broker_names
from ops.stack.process import read_pid
from streams.topics import ORDERS

ROLES = (StreamsRole.ORDERS, StreamsRole.CATALOG)

PRICE = Decimal("12.50")
APPROVED_CARD = "4242424242424242"
ADDRESSES = 50
CONFIRM_WITHIN_SECONDS = 180
CATCH_UP_WITHIN_SECONDS = 120
REQUEST_DEADLINE_SECONDS = 120
OUTAGE_SECONDS = 30


def component(settings: Settings, name: str) -> Engine:
    return next(e for e in stack.components(settings) if e.name == name)


async def kill(settings: Settings, *names: str) -> None:
    """SIGKILL the process a component's pid file names (its supervisor restarts it)."""
    for name in names:
        pid = read_pid(component(settings, name).pidfile)
        if pid is None:
            raise RuntimeError(f"{name} is not running")
        os.kill(pid, signal.SIGKILL)


async def outage(settings: Settings, seconds: float, *names: str) -> None:
    """Stop components (their supervisors with them) for ``seconds``, then start them again."""
    engines = [component(settings, name) for name in names]
    await asyncio.gather(*(asyncio.to_thread(engine.stop) for engine in engines))  # all at once
    await asyncio.sleep(seconds)  # the fault's length, not a synchronisation
    await asyncio.to_thread(stack.start, engines)


def orders_leader(settings: Settings) -> str:
    """The broker leading most partitions of the orders topic (with one broker: that one)."""
    admin = KafkaAdminClient(**settings.kafka_client(KafkaUser.ADMIN))
    try:
        [topic] = admin.describe_topics([ORDERS.name(settings)])
    finally:
        admin.close()
    leaders = Counter(partition["leader_id"] for partition in topic["partitions"])
    return broker_name(leaders.most_common(1)[0][0])


async def redis_data_lost(settings: Settings, _: Clients) -> None:
    """Redis stopped, its data files deleted, started empty; the stock mirror is then rebuilt
    from the inventory topic (the documented recovery: `shopctl replay --target cache`)."""
    engine = component(settings, "redis")
    await asyncio.to_thread(engine.stop)
    await asyncio.to_thread(stack.delete, engine.data_paths())
    await asyncio.to_thread(stack.start, [engine])
    async with open_clients(settings, pool_size=4) as fresh:  # as `shopctl replay` would
        await replay(fresh, Target.CACHE)


Fault = Callable[[Settings, Clients], Awaitable[None]]


SCENARIOS: dict[str, Fault] = {
    "kill-broker": lambda s, _: kill(s, orders_leader(s)),
    "kafka-down-30s": lambda s, _: outage(s, OUTAGE_SECONDS, *broker_names(s)),
    # One worker of each role (the only one in the single profile): the group rebalances.
    "kill-workers": lambda s, _: kill(s, *(streams_service(role) for role in ROLES)),
    "kill-connect": lambda s, _: kill(s, "connect"),
    "restart-postgres": lambda s, _: outage(s, 0, "postgres"),
    "redis-data-lost": redis_data_lost,
    "elasticsearch-down-30s": lambda s, _: outage(s, OUTAGE_SECONDS, "elasticsearch"),
}


@dataclass
class Stream:
    """What the clients saw: orders placed, orders paid (payment answered success)."""

    placed: list[str] = field(default_factory=list)
    paid: list[str] = field(default_factory=list)
    retries: int = 0


async def _answer(send: Callable[[], Awaitable[httpx.Response]], stream: Stream) -> httpx.Response:
    """The request's answer, sent again (same Idempotency-Key) while the storefront is
    unavailable (5xx, 429 or a dropped connection), for REQUEST_DEADLINE_SECONDS at most."""
    attempts = 0

    async def attempt() -> httpx.Response:
        nonlocal attempts
        attempts += 1
        return await send()

    try:
        response, _ = await until(
            attempt,
            timeout=REQUEST_DEADLINE_SECONDS,
            what="the storefront's answer",
            accept=lambda r: r.status_code < 500 and r.status_code != 429,
            ignoring=(httpx.TransportError,),
            interval=0.5,  # a client's back-off between attempts
        )
    finally:
        stream.retries += attempts - 1
    return response


async def buy(api: httpx.AsyncClient, shopper: Shopper, product_id: str, stream: Stream) -> None:
    key = uuid.uuid4().hex
    placed = await _answer(
        lambda: checkout(api, shopper, [(product_id, 1, PRICE)], key=f"co-{key}"), stream
    )
    if placed.status_code != 201:
        raise RuntimeError(f"checkout answered {placed.status_code}: {placed.text[:200]}")
    order_id = placed.json()["orderId"]
    stream.placed.append(order_id)
    body = {
        "orderId": order_id,
        "paymentMethod": "card",
        "cardDetails": {"number": APPROVED_CARD, "expMonth": 12, "expYear": 2030, "cvc": "123"},
        "amount": float(PRICE),
    }
    headers = shopper.headers | {"Idempotency-Key": f"pay-{key}"}
    paid = await _answer(lambda: api.post("/v1/payment", json=body, headers=headers), stream)
    if paid.status_code in (200, 201, 202) and paid.json().get("status") == "success":
        stream.paid.append(order_id)


@dataclass(frozen=True)
class Verdict:
    scenario: str
    placed: int
    paid: int
    confirmed: int
    doubled: list[str]
    unconfirmed: list[str]
    sold: int
    audit_ok: bool
    recovery_seconds: float
    catch_up_seconds: float
    retries: int

    @property
    def ok(self) -> bool:
        return (
            not self.doubled
            and not self.unconfirmed
            and self.confirmed == self.paid
            and self.sold == self.paid
            and self.audit_ok
        )


async def verdict(
    clients: Clients, scenario: str, product_id: str, stream: Stream, retries: int
) -> Verdict:
    paid = list(dict.fromkeys(stream.paid))

    async def confirmed() -> list[dict]:
        rows = await sql(
            clients,
            "SELECT order_id::text AS order_id, status, updated_at FROM orders"
            " WHERE order_id = ANY(%s::uuid[])",
            paid,
        )
        return rows if all(r["status"] != "RESERVED" for r in rows) else []

    with contextlib.suppress(NotReached):
        await until(
            confirmed,
            timeout=CONFIRM_WITHIN_SECONDS,
            what="every paid order settled",
            ignoring=(psycopg.OperationalError,),  # the bench's own connection, after a restart
        )
    rows = await sql(
        clients,
        "SELECT o.order_id::text AS order_id, o.status, o.updated_at,"
        " count(p.*) FILTER (WHERE p.status = 'SUCCEEDED') AS succeeded,"
        " max(p.updated_at) FILTER (WHERE p.status = 'SUCCEEDED') AS paid_at"
        " FROM orders o LEFT JOIN payments p USING (order_id)"
        " WHERE o.order_id = ANY(%s::uuid[]) GROUP BY o.order_id",
        paid,
    )
    waits = [
        (r["updated_at"] - r["paid_at"]).total_seconds()
        for r in rows
        if r["status"] == "CONFIRMED" and r["paid_at"]
    ]
    [level] = await sql(clients, "SELECT sold_qty FROM inventory WHERE product_id = %s", product_id)
    scope = audit.Scope(clients.settings.search_alias, product_prefix=product_id)

    # The derived copies (Redis, Mongo, search) may still be catching up with what the fault
    # held back (search after its outage): the audit must pass once they have, in time.
    async def audited() -> audit.AuditReport:
        return await audit.audit(clients, scope)

    try:
        _, catch_up = await until(
            audited,
            timeout=CATCH_UP_WITHIN_SECONDS,
            what="every copy of the stock equal to Postgres",
            accept=lambda found: found.ok,
            interval=1,
        )
        audit_ok = True
    except NotReached as missed:
        print(f"  {scenario}: {missed}")
        audit_ok, catch_up = False, CATCH_UP_WITHIN_SECONDS
    return Verdict(
        scenario,
        len(stream.placed),
        len(paid),
        sum(r["status"] == "CONFIRMED" for r in rows),
        [r["order_id"] for r in rows if r["succeeded"] > 1],
        [r["order_id"] for r in rows if r["status"] != "CONFIRMED"],
        level["sold_qty"],
        audit_ok,
        max(waits, default=0.0),
        catch_up,
        retries,
    )


async def run_scenario(
    settings: Settings, clients: Clients, name: str, seconds: float, rate: float
) -> Verdict:
    count = int(seconds * rate)
    product_id = await create_product(clients, price=PRICE, stock=count + 10)
    shoppers = await create_shoppers(clients, count)
    await put_in_carts(clients, shoppers, product_id, 1)
    stream = Stream()
    base_url = f"http://{settings.api_host}:{settings.api_port}"
    async with clients_by_address(base_url, ADDRESSES, 8, timeout=30) as apis:
        pool = itertools.cycle(apis)
        started = time.monotonic()
        buyers: list[asyncio.Task] = []
        fault: asyncio.Task | None = None
        for i, shopper in enumerate(shoppers):
            await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
            if fault is None and i >= count / 3:
                print(f"  {name}: fault injected at {time.monotonic() - started:.1f}s", flush=True)
                fault = asyncio.create_task(SCENARIOS[name](settings, clients))
            buyers.append(asyncio.create_task(buy(next(pool), shopper, product_id, stream)))
        outcomes = await asyncio.gather(*buyers, return_exceptions=True)
        if fault is not None:
            await fault
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        print(f"  {name}: {len(failures)} buyers failed, e.g. {failures[0]!r}")
    async with open_clients(settings, pool_size=4) as after:  # none of the fault's dead sockets
        return await verdict(after, name, product_id, stream, stream.retries)


def report(v: Verdict) -> None:
    print(
        f"{v.scenario}: {'PASS' if v.ok else 'FAIL'}; {v.paid} of {v.placed} orders paid,"
        f" {v.confirmed} confirmed, sold {v.sold}; doubled {len(v.doubled)},"
        f" unconfirmed {len(v.unconfirmed)}; audit {'passed' if v.audit_ok else 'FAILED'}"
        f" ({v.catch_up_seconds:.1f}s after the last confirmation);"
        f" longest wait paid -> confirmed {v.recovery_seconds:.1f}s; client retries {v.retries}",
        flush=True,
    )


async def run(args: argparse.Namespace) -> bool:
    settings = get_settings()
    verdicts = []
    for name in args.scenario or SCENARIOS:
        # Clients of its own per scenario: the pooled connections of the one before may
        # have died with the engine it restarted.
        async with open_clients(settings, pool_size=4) as clients:
            verdicts.append(await run_scenario(settings, clients, name, args.seconds, args.rate))
        report(verdicts[-1])
        await asyncio.to_thread(stack.start, stack.components(settings))  # all healthy
    return all(v.ok for v in verdicts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--seconds", type=float, default=30, help="length of the order stream")
    parser.add_argument("--rate", type=float, default=10, help="orders started per second")
    raise SystemExit(0 if asyncio.run(run(parser.parse_args())) else 1)


if __name__ == "__main__":
    main()
