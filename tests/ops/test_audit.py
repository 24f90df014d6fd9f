"""``audit`` on the real engines: agreement passes, a corrupted copy anywhere is reported."""

import asyncio
import json
import os
import subprocess
import sys
import uuid

import pytest

from adapters.catalog_collection import PRODUCTS
from adapters.inventory_store import mixed_orders
from config import PROJECT_ROOT
from ops.audit import READS, audit
from tests.ops.conftest import StockWorld

pytestmark = pytest.mark.engines


def shopctl_audit(world: StockWorld, *options: str) -> subprocess.CompletedProcess[str]:
    """``shopctl audit --json`` on the world's copies, as an operator runs it."""
    scope = world.scope
    where = ["--alias", scope.search_alias, "--key-prefix", scope.key_prefix]
    only = ["--products", scope.product_prefix]
    return subprocess.run(
        [sys.executable, "-m", "ops.cli", "audit", "--json", *options, *where, *only],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        env={**os.environ, "SHOP_MONGO_DB": world.settings.mongo_db},
    )


async def test_agreeing_stores_pass(stock_world: StockWorld) -> None:
    report = await audit(stock_world.clients, stock_world.scope, grace_seconds=0)
    assert report.ok, report.as_json()
    assert len(report.rows) == len(stock_world.stock)
    assert all(row.cataloged for row in report.rows)


async def test_corrupted_redis_value_and_search_document_are_drifts(
    stock_world: StockWorld,
) -> None:
    cached, indexed, evicted = sorted(stock_world.stock)[:3]
    c = stock_world.clients
    await c.redis.set(stock_world.keys.available(cached), 999)
    await c.redis.delete(stock_world.keys.available(evicted))
    alias = stock_world.scope.search_alias
    await c.es.index(index=alias, id=indexed, document={"productId": indexed, "availableQty": 777})
    await c.es.indices.refresh(index=alias)

    report = await audit(c, stock_world.scope, grace_seconds=0.2)

    assert not report.ok
    drifts = {row.product_id: row for row in report.drifts}
    assert set(drifts) == {cached, indexed, evicted}
    assert drifts[cached].drifted == ["redis"] and drifts[cached].copies["redis"] == 999
    assert drifts[indexed].drifted == ["elasticsearch"]
    assert drifts[indexed].copies["elasticsearch"] == 777
    assert drifts[evicted].copies["redis"] is None


async def test_a_drift_that_heals_within_the_grace_period_is_not_reported(
    stock_world: StockWorld,
) -> None:
    """A copy trailing Postgres by the pipeline's delay is not a drift."""
    product = sorted(stock_world.stock)[0]
    redis = stock_world.clients.redis
    await redis.set(stock_world.keys.available(product), 0)

    read: list[str] = []
    healing: list[asyncio.Task] = []

    def catch_up_once_seen(step: str) -> None:
        """The copy catches up after the audit's first read of every store saw it behind."""
        read.append(step)
        if set(READS) <= set(read) and not healing:
            fix = redis.set(stock_world.keys.available(product), stock_world.stock[product])
            healing.append(asyncio.ensure_future(fix))

    report = await audit(
        stock_world.clients, stock_world.scope, grace_seconds=1.5, step=catch_up_once_seen
    )
    await asyncio.gather(*healing)
    assert healing and report.ok, report.as_json()


async def test_shopctl_audit_exits_non_zero_and_prints_the_drift(stock_world: StockWorld) -> None:
    product = sorted(stock_world.stock)[0]
    await stock_world.clients.redis.set(stock_world.keys.available(product), "not-a-number")
    result = shopctl_audit(stock_world, "--grace", "0")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [d["product_id"] for d in report["drifts"]] == [product]
    assert report["drift_counts"] == {"redis": 1, "mongo": 0, "elasticsearch": 0}


async def test_an_order_both_sold_and_released_is_found(stock_world: StockWorld) -> None:
    """Inside a transaction that is rolled back: nothing reaches the shared tables or CDC."""
    first, second = sorted(stock_world.stock)[:2]
    user, order = uuid.uuid4(), uuid.uuid4()
    async with stock_world.clients.pg.connection() as conn, conn.transaction(force_rollback=True):
        await conn.execute(
            "INSERT INTO users (user_id, name, email, password_hash) VALUES (%s, 'a', %s, 'x')",
            (user, f"{user}@ops.test"),
        )
        await conn.execute(
            "INSERT INTO orders (order_id, user_id, products, total_amount, status)"
            " VALUES (%s, %s, '[]', 0, 'CONFIRMED')",
            (order, user),
        )
        await conn.execute(
            "INSERT INTO reservations (order_id, product_id, quantity, status, expires_at)"
            " VALUES (%s, %s, 1, 'SOLD', now()), (%s, %s, 1, 'RELEASED', now())",
            (order, first, order, second),
        )
        assert await mixed_orders(conn, stock_world.scope.product_prefix) == [str(order)]


async def test_repair_sets_corrupted_copies_to_postgres_and_lists_them(
    stock_world: StockWorld,
) -> None:
    """A Redis figure stored under a corrupted, far newer version and a wrong Mongo quantity:
    no guarded write could fix them; ``audit --repair`` does, says what it changed, and the
    audit that follows passes."""
    cached, counted = sorted(stock_world.stock)[:2]
    c, keys = stock_world.clients, stock_world.keys
    await c.redis.set(keys.available(cached), 44)
    await c.redis.set(keys.version(cached), 10**12)
    await c.mongo[PRODUCTS].update_one(
        {"productId": counted}, {"$set": {"quantity": 99, "stockVersion": 10**12}}
    )
    result = shopctl_audit(stock_world, "--repair", "--grace", "0.2")
    assert result.returncode == 0, result.stdout + result.stderr
    output = json.loads(result.stdout)
    assert output["ok"] and output["drift_counts"] == {"redis": 0, "mongo": 0, "elasticsearch": 0}
    assert sorted(
        (r["product_id"], r["store"], r["before"], r["after"]) for r in output["repairs"]
    ) == [
        (cached, "redis", 44, stock_world.stock[cached]),
        (counted, "mongo", 99, stock_world.stock[counted]),
    ]
    assert (await audit(c, stock_world.scope, grace_seconds=0)).ok
