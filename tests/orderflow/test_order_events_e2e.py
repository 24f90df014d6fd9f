"""GET /v1/orders/{orderId}/events on a real uvicorn server: the current status first, then
each change as the stream worker publishes it, until the order reaches a final status."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from adapters.redis_keys import stream_slots_key
from adapters.tokens import TokenKeys
from config import Settings
from harness.shopdb import ShopDB
from ops.polling import until
from tests.support.live_server import live_storefront

pytestmark = pytest.mark.engines


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
        live_storefront(pipeline) as (_, client),
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


async def test_a_client_leaving_ends_its_watch_and_frees_its_slot(
    db: ShopDB, pipeline: Settings
) -> None:
    user_id, _ = db.customer()
    order_id = db.checkout(user_id, {db.product(1): 1})
    redis = Redis.from_url(pipeline.redis_url)
    slots = stream_slots_key(user_id)
    async with live_storefront(pipeline) as (app, client):
        fanout = app.state.status_fanout
        url, headers = f"/v1/orders/{order_id}/events", bearer(db, pipeline, user_id)
        async with client.stream("GET", url, headers=headers) as response:
            seen = statuses(response)  # held: a collected generator would close the stream
            assert await anext(seen) == "RESERVED"
            assert fanout.watching(order_id) == 1 and await redis.zcard(slots) == 1

        async def still_held() -> int:
            return fanout.watching(order_id) + await redis.zcard(slots)

        await until(still_held, timeout=5, what="stream and slot released", accept=lambda n: n == 0)
    await redis.aclose()


async def test_only_the_owner_may_listen(db: ShopDB, pipeline: Settings) -> None:
    owner, _ = db.customer()
    stranger, _ = db.customer()
    order_id = db.checkout(owner, {db.product(1): 1})
    headers = bearer(db, pipeline, stranger)
    async with live_storefront(pipeline) as (_, client):
        foreign = await client.get(f"/v1/orders/{order_id}/events", headers=headers)
        unknown = await client.get(f"/v1/orders/{uuid.uuid4()}/events", headers=headers)
        anonymous = await client.get(f"/v1/orders/{order_id}/events")
    assert (foreign.status_code, unknown.status_code) == (404, 404)
    assert foreign.json()["error"]["code"] == "order_not_found"
    assert anonymous.status_code == 401
