"""The flash-sale gate's Lua scripts on real Redis (the commerce tests' own database)."""

import uuid
from decimal import Decimal

from adapters.connections import Clients
from api.stock_gate import admit, first_sold_out, give_back
from domain.checkout import OrderLine
from schemas.redis_keys import checkout_gate_key, stock_key
from tests.commerce.factories import unique_product_id


async def cache(clients: Clients, **counts: int) -> dict[str, str]:
    """Sets ``stock:*`` for fresh product ids; returns {name: product id}."""
    ids = {name: unique_product_id() for name in counts}
    for name, count in counts.items():
        await clients.redis.set(stock_key(ids[name]), count)
    return ids


async def cached(clients: Clients, product_id: str) -> str | None:
    return await clients.redis.get(stock_key(product_id))


def lines(*pairs: tuple[str, int]) -> list[OrderLine]:
    return [OrderLine(pid, qty, Decimal(1)) for pid, qty in pairs]


async def test_admission_takes_the_units_once_per_order(clients: Clients) -> None:
    ids = await cache(clients, a=5, b=3)
    order = uuid.uuid4()
    wanted = lines((ids["a"], 2), (ids["b"], 1))

    assert await admit(clients.redis, order, wanted, 60) is None
    assert await admit(clients.redis, order, wanted, 60) is None
    assert (await cached(clients, ids["a"]), await cached(clients, ids["b"])) == ("3", "2")
    assert 0 < await clients.redis.ttl(checkout_gate_key(str(order))) <= 60


async def test_one_short_line_sheds_the_whole_order_without_taking_anything(
    clients: Clients,
) -> None:
    ids = await cache(clients, a=5, b=1)
    shed_on = await admit(clients.redis, uuid.uuid4(), lines((ids["a"], 1), (ids["b"], 2)), 60)
    assert shed_on == ids["b"]
    assert (await cached(clients, ids["a"]), await cached(clients, ids["b"])) == ("5", "1")


async def test_a_cache_miss_lets_postgres_decide(clients: Clients) -> None:
    uncached = unique_product_id()
    assert await admit(clients.redis, uuid.uuid4(), lines((uncached, 50)), 60) is None
    assert await cached(clients, uncached) is None


async def test_give_back_returns_exactly_what_was_taken_once(clients: Clients) -> None:
    ids = await cache(clients, a=4)
    uncached = unique_product_id()
    order = uuid.uuid4()
    wanted = lines((ids["a"], 3), (uncached, 1))
    await admit(clients.redis, order, wanted, 60)

    await give_back(clients.redis, order, wanted)
    await give_back(clients.redis, order, wanted)

    assert await cached(clients, ids["a"]) == "4"
    assert await cached(clients, uncached) is None
    assert not await clients.redis.exists(checkout_gate_key(str(order)))


async def test_the_read_only_look_names_a_sold_out_product_and_takes_nothing(
    clients: Clients,
) -> None:
    ids = await cache(clients, a=2, b=0)
    uncached = unique_product_id()
    assert await first_sold_out(clients.redis, {ids["a"]: 2, uncached: 9}) is None
    assert await first_sold_out(clients.redis, {ids["a"]: 3}) == ids["a"]
    assert await first_sold_out(clients.redis, {ids["a"]: 1, ids["b"]: 1}) == ids["b"]
    assert await cached(clients, ids["a"]) == "2"
