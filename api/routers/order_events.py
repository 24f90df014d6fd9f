"""Live order status as Server-Sent Events: the current status first, then every change.

The stream subscribes to the order's Redis channel before it reads the current status, so no
change can fall in between; a status that is not ahead of the last one sent (a repeat, or a
late delivery from a lagging worker) is dropped. The stream ends at a final status.
"""

import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter
from sse_starlette import EventSourceResponse, ServerSentEvent

from adapters.connections import Clients
from api.auth import CurrentUser
from api.deps import ClientsDep
from api.errors import error_responses
from api.params import OrderIdPath
from api.repositories import orders
from domain.orders import OrderNotFound, is_final
from domain.status_history import supersedes
from schemas.order_status import StatusChange
from schemas.redis_keys import order_status_channel

router = APIRouter(prefix="/orders", tags=["orders"], responses=error_responses(401, 404, 422, 429))

PING_SECONDS = 15


@router.get("/{orderId}/events", response_class=EventSourceResponse)
async def order_events(
    order_id: OrderIdPath, user: CurrentUser, clients: ClientsDep
) -> EventSourceResponse:
    """``event: status`` messages with ``{orderId, status, changedAt}``; owner only."""
    if await current_status(clients, order_id, user.user_id) is None:
        raise OrderNotFound(order_id)
    return EventSourceResponse(status_events(clients, order_id, user.user_id), ping=PING_SECONDS)


async def current_status(
    clients: Clients, order_id: uuid.UUID, user_id: uuid.UUID
) -> StatusChange | None:
    async with clients.pg.connection() as conn:
        row = await orders.status_of(conn, order_id, user_id)
    return StatusChange.model_validate(row) if row else None


async def status_events(
    clients: Clients, order_id: uuid.UUID, user_id: uuid.UUID
) -> AsyncIterator[ServerSentEvent]:
    async with clients.redis.pubsub() as pubsub:
        await pubsub.subscribe(order_status_channel(str(order_id)))
        last = await current_status(clients, order_id, user_id)
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
