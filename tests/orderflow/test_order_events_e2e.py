"""GET /v1/orders/{orderId}/events on a real uvicorn server: the current status first, then
each change as the stream worker publishes it, until the order reaches a final status."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from redis.asyncio import Redis

from api.app import create_app
from api.tokens import TokenKeys
from schemas.redis_keys import order_status_channel
from schemas.settings import Settings
from tests.orderflow.shopdb import ShopDB
from tests.orderflow.sockets import free_port

pytestmark = pytest.mark.engines


@asynccontextmanager
async def storefront(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    async with asyncio.timeout(30):
        while not server.started:
            await asyncio.sleep(0.05)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        await serving


def bearer(db: ShopDB, settings: Settings, user_id: str) -> dict[str, str]:
    """The headers of a new session of the customer."""
    session_id = db.sign_in(user_id, settings.refresh_token_ttl_seconds)
    token = TokenKeys.from_settings(settings).issue(settings, uuid.UUID(user_id), session_id, 1)
    return {"Authorization": f"Bearer {token}"}


async def statuses(response: httpx.Response) -> AsyncIterator[str]:
    """The ``status`` of each ``event: status`` message (pings and other fields skipped)."""
    event = None
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:") and event == "status":
            yield json.loads(line.removeprefix("data:"))["status"]


async def test_streams_current_status_then_each_change(db: ShopDB, pipeline: Settings) -> None:
    user_id, _ = db.customer()
    order_id = db.checkout(user_id, {db.product(1): 1})
    async with (
        storefront(pipeline) as client,
        client.stream(
            "GET", f"/v1/orders/{order_id}/events", headers=bearer(db, pipeline, user_id)
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        seen = statuses(response)
        async with asyncio.timeout(10):
            assert await anext(seen) == "RESERVED"
            db.pay(order_id, user_id, "SUCCEEDED")
            assert await anext(seen) == "CONFIRMED"
            db.set_status(order_id, "SHIPPED")
            assert await anext(seen) == "SHIPPED"
            db.set_status(order_id, "DELIVERED")
            assert [status async for status in seen] == ["DELIVERED"]  # final: stream ends


async def test_a_client_leaving_ends_its_subscription(db: ShopDB, pipeline: Settings) -> None:
    user_id, _ = db.customer()
    order_id = db.checkout(user_id, {db.product(1): 1})
    channel = order_status_channel(order_id)
    redis = Redis.from_url(pipeline.redis_url)
    async with storefront(pipeline) as client:
        url, headers = f"/v1/orders/{order_id}/events", bearer(db, pipeline, user_id)
        async with client.stream("GET", url, headers=headers) as response:
            seen = statuses(response)  # held: a collected generator would close the stream
            assert await anext(seen) == "RESERVED"
            async with asyncio.timeout(5):  # the stream subscribes around its first event
                while await subscribers(redis, channel) != 1:
                    await asyncio.sleep(0.05)
        async with asyncio.timeout(5):
            while await subscribers(redis, channel):
                await asyncio.sleep(0.05)
    await redis.aclose()


async def subscribers(redis: Redis, channel: str) -> int:
    [(_, count)] = await redis.pubsub_numsub(channel)
    return count


async def test_only_the_owner_may_listen(db: ShopDB, pipeline: Settings) -> None:
    owner, _ = db.customer()
    stranger, _ = db.customer()
    order_id = db.checkout(owner, {db.product(1): 1})
    headers = bearer(db, pipeline, stranger)
    async with storefront(pipeline) as client:
        foreign = await client.get(f"/v1/orders/{order_id}/events", headers=headers)
        unknown = await client.get(f"/v1/orders/{uuid.uuid4()}/events", headers=headers)
        anonymous = await client.get(f"/v1/orders/{order_id}/events")
    assert (foreign.status_code, unknown.status_code) == (404, 404)
    assert foreign.json()["error"]["code"] == "order_not_found"
    assert anonymous.status_code == 401
