"""The inventory and reservation statements on the real Postgres: the arbiter of every unit."""

import asyncio
import uuid

import pytest
from psycopg_pool import AsyncConnectionPool

from adapters import inventory_store
from domain.inventory import OutOfStock, ReservationStatus, StockLevel, release, reserve, sell
from tests.stock.conftest import new_order

pytestmark = pytest.mark.engines


def product() -> str:
    return f"stockstore-{uuid.uuid4().hex[:12]}"


async def level_of(pg: AsyncConnectionPool, product_id: str) -> StockLevel:
    async with pg.connection() as conn:
        [level] = await inventory_store.levels(conn, product_ids=[product_id])
    return level


async def test_a_hold_reserves_every_line_and_reports_the_versions(
    pg: AsyncConnectionPool,
) -> None:
    a, b = product(), product()
    async with pg.connection() as conn:
        assert await inventory_store.add_levels(conn, {a: 5, b: 2}) == 2
        order = await new_order(conn)
        changes = await inventory_store.hold(conn, order, [(b, 2), (a, 1)], 600)
        holds = await inventory_store.holds_of(conn, str(order))
    assert [(c.product_id, c.available, c.version) for c in changes] == sorted(
        [(a, 4, 2), (b, 0, 2)]
    )
    assert sorted((h.product_id, h.quantity) for h in holds) == sorted([(a, 1), (b, 2)])
    assert await level_of(pg, a) == StockLevel(a, 4, 1, 0, 5, version=2)


async def test_a_short_line_refuses_the_order_and_its_transaction_changes_nothing(
    pg: AsyncConnectionPool,
) -> None:
    a, b = product(), product()
    async with pg.connection() as conn:
        await inventory_store.add_levels(conn, {a: 5, b: 1})
    with pytest.raises(OutOfStock) as refused:
        async with pg.connection() as conn, conn.transaction():
            await inventory_store.hold(conn, await new_order(conn), [(a, 1), (b, 2)], 600)
    assert refused.value.details == {"product_id": b}
    assert (await level_of(pg, a)).available == 5 and (await level_of(pg, a)).version == 1


async def test_concurrent_holds_never_take_more_than_there_is(pg: AsyncConnectionPool) -> None:
    scarce = product()
    async with pg.connection() as conn:
        await inventory_store.add_levels(conn, {scarce: 7})

    async def buy() -> bool:
        try:
            async with pg.connection() as conn, conn.transaction():
                await inventory_store.hold(conn, await new_order(conn), [(scarce, 1)], 600)
        except OutOfStock:
            return False
        return True

    outcomes = await asyncio.gather(*(buy() for _ in range(40)))
    assert outcomes.count(True) == 7
    level = await level_of(pg, scarce)
    assert (level.available, level.reserved, level.version) == (0, 7, 8)


async def test_every_committed_change_gets_the_next_version_even_by_hand(
    pg: AsyncConnectionPool,
) -> None:
    p = product()
    async with pg.connection() as conn:
        await inventory_store.add_levels(conn, {p: 10})
        await inventory_store.move(conn, [reserve(p, 3), sell(p, 2), release(p, 1)])  # one row
        await conn.execute(  # an operator's psql session
            "UPDATE inventory SET available_qty = available_qty + 1,"
            " stocked_qty = stocked_qty + 1 WHERE product_id = %s",
            (p,),
        )
    assert await level_of(pg, p) == StockLevel(p, 9, 0, 2, 11, version=3)


async def test_setting_the_level_keeps_reserved_and_sold_and_creates_missing_rows(
    pg: AsyncConnectionPool,
) -> None:
    p, fresh = product(), product()
    async with pg.connection() as conn:
        await inventory_store.add_levels(conn, {p: 10})
        await inventory_store.move(conn, [reserve(p, 3), sell(p, 1)])
        lowered = await inventory_store.set_available(conn, p, 2)
        created = await inventory_store.set_available(conn, fresh, 4)
        assert await inventory_store.add_levels(conn, {p: 99, fresh: 99}) == 0, "kept"
        assert await inventory_store.available(conn, "no-such-product") == 0
    assert lowered == StockLevel(p, 2, 2, 1, 5, version=3)
    assert created == StockLevel(fresh, 4, 0, 0, 4, version=1)


async def test_holds_convert_once(pg: AsyncConnectionPool) -> None:
    p = product()
    async with pg.connection() as conn:
        await inventory_store.add_levels(conn, {p: 3})
        order = await new_order(conn)
        await inventory_store.hold(conn, order, [(p, 2)], 600)
        assert await inventory_store.convert_holds(conn, str(order), [p], ReservationStatus.SOLD)
        assert not await inventory_store.convert_holds(
            conn, str(order), [p], ReservationStatus.RELEASED
        )
        assert await inventory_store.holds_of(conn, str(order)) == ()
        await inventory_store.remove_levels(conn, [p])  # refused: a reservation refers to it
    assert (await level_of(pg, p)).product_id == p
