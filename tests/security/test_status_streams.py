"""Status streams cannot starve the storefront: a cap per user, no pooled connection held per
stream, and an end to every stream, even of an order that waits days to ship."""

import asyncio
from contextlib import AsyncExitStack
from decimal import Decimal
from functools import partial

import httpx
import pytest

from adapters.connections import Clients
from config import Settings
from harness.factories import Shopper, create_shoppers
from harness.flows import place_order
from ops.polling import until
from tests.support.live_server import live_storefront

pytestmark = pytest.mark.engines

PRICE = Decimal("12.50")


async def opened(stack: AsyncExitStack, client: httpx.AsyncClient, url: str, headers: dict):
    response = await stack.enter_async_context(client.stream("GET", url, headers=headers))
    return response


async def test_a_user_holds_at_most_the_cap_of_streams(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, app_settings: Settings
) -> None:
    order = await place_order(api, clients, shopper, PRICE)
    url = f"/v1/orders/{order}/events"
    async with live_storefront(app_settings) as (_, live), AsyncExitStack() as streams:
        for _ in range(app_settings.sse_streams_per_user):
            assert (await opened(streams, live, url, shopper.headers)).status_code == 200
        refused = await live.get(url, headers=shopper.headers)
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_streams"
        await streams.aclose()  # the user closes them: slots come back
        await until(
            partial(opened, AsyncExitStack(), live, url, shopper.headers),
            timeout=5,
            what="a slot back",
            accept=lambda answer: answer.status_code == 200,
        )


async def test_open_streams_take_no_connection_from_the_request_pool(
    api: httpx.AsyncClient, clients: Clients, app_settings: Settings
) -> None:
    """With a pool of 3 Redis connections, 12 open streams leave every request served."""
    buyers = await create_shoppers(clients, 4)
    orders = [await place_order(api, clients, buyer, PRICE) for buyer in buyers]
    small_pool = app_settings.model_copy(update={"redis_pool_size": 3})
    async with live_storefront(small_pool) as (_, live), AsyncExitStack() as streams:
        for buyer, order in zip(buyers, orders, strict=True):
            for _ in range(3):
                response = await opened(streams, live, f"/v1/orders/{order}/events", buyer.headers)
                assert response.status_code == 200
        async with asyncio.timeout(10):
            pages = await asyncio.gather(
                *(
                    live.get(f"/v1/orders/{order}/status", headers=buyer.headers)
                    for buyer, order in zip(buyers, orders, strict=True)
                )
            )
        assert [page.status_code for page in pages] == [200] * len(buyers)


async def test_a_stream_of_an_unfinished_order_ends_by_itself(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, app_settings: Settings
) -> None:
    order = await place_order(api, clients, shopper, PRICE)
    brief = app_settings.model_copy(update={"sse_max_seconds": 1.0})
    async with (
        live_storefront(brief) as (_, live),
        asyncio.timeout(10),
        live.stream("GET", f"/v1/orders/{order}/events", headers=shopper.headers) as response,
    ):
        body = [line async for line in response.aiter_lines()]  # returns: the stream ended
    assert any("RESERVED" in line for line in body)
