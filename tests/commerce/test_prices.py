"""Live price reads on the real catalog: shared while in flight, never cached."""

import asyncio
from decimal import Decimal

from adapters.connections import Clients
from api.prices import PriceReader
from tests.commerce.factories import change_price, create_product, unique_product_id


async def test_concurrent_readers_of_one_product_share_a_fresh_answer(clients: Clients) -> None:
    reader = PriceReader(clients.mongo)
    product = await create_product(clients, price=Decimal("12.34"))
    unknown = unique_product_id()

    answers = await asyncio.gather(*(reader.live_prices([product, unknown]) for _ in range(50)))

    assert {tuple(a) for a in answers} == {(product,)}
    assert {a[product].price for a in answers} == {Decimal("12.34")}

    await change_price(clients, product, 15.0)
    assert (await reader.live_prices([product]))[product].price == Decimal("15.00")
