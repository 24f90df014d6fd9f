"""Live price reads on the real engines: the product cache first, the catalog on a miss
(shared while in flight)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from redis.asyncio import Redis

from adapters import catalog_store
from adapters.connections import Clients
from adapters.prices import PriceReader
from adapters.product_cache import ProductCache
from harness.factories import change_price, create_product, unique_product_id
from ops.demo.catalog import generate_catalog


@pytest.fixture
async def own_cache(clients: Clients) -> AsyncIterator[ProductCache]:
    """A cache under a prefix of this test's own, which no stream agent writes."""
    cache = ProductCache(clients.redis, key_prefix=f"t{uuid.uuid4().hex[:8]}:")
    yield cache
    await _forget(clients.redis, cache.prefix)


async def _forget(redis: Redis, prefix: str) -> None:
    if stale := [key async for key in redis.scan_iter(match=f"{prefix}*")]:
        await redis.delete(*stale)


async def test_concurrent_readers_of_one_product_share_a_fresh_answer(
    clients: Clients, own_cache: ProductCache
) -> None:
    reader = PriceReader(clients.mongo, own_cache)
    product = await create_product(clients, price=Decimal("12.34"))
    unknown = unique_product_id()

    answers = await asyncio.gather(*(reader.live_prices([product, unknown]) for _ in range(50)))

    assert {tuple(a) for a in answers} == {(product,)}
    assert {a[product].price for a in answers} == {Decimal("12.34")}

    await change_price(clients, product, 15.0)
    assert (await reader.live_prices([product]))[product].price == Decimal("15.00")


async def test_a_deleted_product_has_no_price(clients: Clients, own_cache: ProductCache) -> None:
    reader = PriceReader(clients.mongo, own_cache)
    kept, deleted = await create_product(clients), await create_product(clients)
    assert await catalog_store.delete_product(clients.mongo, deleted)  # soft: the tombstone stays

    assert set(await reader.live_prices([kept, deleted])) == {kept}


async def test_cached_products_are_priced_without_the_catalog(
    clients: Clients, own_cache: ProductCache
) -> None:
    """Ids the catalog never held: only the cache can answer for them."""
    listed, deleted = list(generate_catalog(2, id_prefix=f"{own_cache.prefix[:-1]}_"))
    await own_cache.put(listed.product_id, 3, listed)
    await own_cache.put(deleted.product_id, 5, deleted)
    await own_cache.put(deleted.product_id, 6, None)

    prices = await PriceReader(clients.mongo, own_cache).live_prices(
        [listed.product_id, deleted.product_id]
    )

    assert set(prices) == {listed.product_id}
    assert prices[listed.product_id].price == Decimal(str(listed.price))


async def test_the_cache_keeps_the_newest_version(
    clients: Clients, own_cache: ProductCache
) -> None:
    first, second = generate_catalog(2)
    newer = second.model_copy(update={"product_id": first.product_id})
    assert await own_cache.put(first.product_id, 2, newer)
    assert not await own_cache.put(first.product_id, 1, first), "an older version is refused"
    assert not await own_cache.put(first.product_id, 2, first), "so is the same one"
    (cached,) = (await own_cache.get_many([first.product_id])).values()
    assert cached == newer


async def test_a_malformed_entry_reads_as_a_miss(clients: Clients, own_cache: ProductCache) -> None:
    await clients.redis.hset(own_cache.key("broken"), mapping={"v": 1, "doc": "{not json"})
    assert await own_cache.get_many(["broken", "never-cached"]) == {}
