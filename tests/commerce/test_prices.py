"""Live price reads on the real catalog: shared while in flight, never cached."""

import asyncio
from decimal import Decimal

from adapters import catalog_store
from adapters.connections import Clients
from adapters.prices import PriceReader
from harness.factories import change_price, create_product, unique_product_id


async def test_concurrent_readers_of_one_product_share_a_fresh_answer(clients: Clients) -> None:
    reader = PriceReader(clients.mongo)
    product = await create_product(clients, price=Decimal("12.34"))
    unknown = unique_product_id()

    answers = await asyncio.gather(*(reader.live_prices([product, unknown]) for _ in range(50)))

    assert {tuple(a) for a in answers} == {(product,)}
    assert {a[product].price for a in answers} == {Decimal("12.34")}

    await change_price(clients, product, 15.0)
    assert (await reader.live_prices([product]))[product].price == Decimal("15.00")


async def test_a_deleted_product_has_no_price(clients: Clients) -> None:
    reader = PriceReader(clients.mongo)
    kept, deleted = await create_product(clients), await create_product(clients)
    assert await catalog_store.delete_product(clients.mongo, deleted)  # soft: the tombstone stays

    assert set(await reader.live_prices([kept, deleted])) == {kept}
