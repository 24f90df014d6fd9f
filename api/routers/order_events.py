"""Live order status as Server-Sent Events: the current status first, then every change.

The stream subscribes to the order's Redis channel before it reads the current status, so no
change can fall in between; a status that is not ahead of the last one sent (a repeat, or a
late delivery from a lagging worker) is dropped. The stream ends at a final status.
"""

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Path, Request
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.auth import CurrentUser
from api.errors import ApiError
from domain.orders import is_final
from domain.status_history import supersedes
from schemas.order_status import StatusChange
from schemas.redis_keys import order_status_channel

router = APIRouter(prefix="/orders", tags=["orders"])

PING_SECONDS = 15


@router.get("/{orderId}/events", response_class=EventSourceResponse)
async def order_events(
    order_id: Annotated[uuid.UUID, Path(alias="orderId")], user: CurrentUser, request: Request
) -> EventSourceResponse:
    """``event: status`` messages with ``{orderId, status, changedAt}``; owner only."""
    clients = request.app.state.clients
    if await current_status(clients.pg, order_id, user.user_id) is None:
        raise ApiError(404, "order_not_found", f"order {order_id} not found")
    changes = status_events(clients.redis, clients.pg, order_id, user.user_id)
    return EventSourceResponse(changes, ping=PING_SECONDS)


async def current_status(
    pg: AsyncConnectionPool, order_id: uuid.UUID, user_id: uuid.UUID
) -> StatusChange | None:
    async with pg.connection() as conn:
        cur = await conn.execute(
            "SELECT order_id::text, status, updated_at AS changed_at FROM orders"
            " WHERE order_id = %s AND user_id = %s",
            (order_id, user_id),
        )
        row = await cur.fetchone()
    return StatusChange.model_validate(row) if row else None


async def status_events(
    redis: Redis, pg: AsyncConnectionPool, order_id: uuid.UUID, user_id: uuid.UUID
) -> AsyncIterator[ServerSentEvent]:
    async with redis.pubsub() as pubsub:
        await pubsub.subscribe(order_status_channel(str(order_id)))
        last = await current_status(pg, order_id, user_id)
        if last is None:
            return
        yield sse(last)
        while not is_final(last.status):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            if message is None:
                continue
            change = StatusChange.model_validate_json(message["data"])
            if supersedes(change.status, last.status):
                last = change
                yield sse(change)


def sse(change: StatusChange) -> ServerSentEvent:
    return ServerSentEvent(
        data=change.to_json(), event="status", id=f"{change.order_id}:{change.status}"
    )
