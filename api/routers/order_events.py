"""Live order status as Server-Sent Events: the current status first, then every change.

The stream watches the order's changes before it reads the current status, so no change can
fall in between; a status that is not ahead of the last one sent (a repeat, or a late
delivery from a lagging worker) is dropped. The stream ends at a final status, and in any
case after ``SHOP_SSE_MAX_SECONDS`` (browsers' EventSource reconnects by itself). A user has
at most ``SHOP_SSE_STREAMS_PER_USER`` streams open (429 beyond), and no stream holds a
connection of the request pool (``api.status_feed``).
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from adapters import orders
from adapters.connections import Clients
from adapters.status_feed import StatusFanout, StreamSlots, status_from_json, status_json
from api.auth import CurrentUser
from api.deps import ClientsDep
from api.errors import ApiError, error_responses
from api.params import OrderIdPath
from domain.orders import OrderNotFound, OrderStatus, is_final
from domain.status_history import StatusChange, lies_ahead

router = APIRouter(prefix="/orders", tags=["orders"], responses=error_responses(401, 404))

PING_SECONDS = 15


@router.get("/{orderId}/events", response_class=EventSourceResponse)
async def order_events(
    order_id: OrderIdPath, user: CurrentUser, clients: ClientsDep, request: Request
) -> EventSourceResponse:
    """``event: status`` messages with ``{orderId, status, changedAt}``; owner only."""
    if await current_status(clients, order_id, user.user_id) is None:
        raise OrderNotFound(order_id)
    settings = clients.settings
    slots = StreamSlots(clients.redis, settings.sse_streams_per_user, 2 * PING_SECONDS)
    stream_id = await slots.take(user.user_id)
    if stream_id is None:
        raise ApiError(
            429,
            "too_many_streams",
            f"at most {settings.sse_streams_per_user} status streams per user",
            headers={"Retry-After": str(PING_SECONDS)},
        )
    fanout: StatusFanout = request.app.state.status_fanout
    events = status_events(clients, fanout, order_id, user.user_id)
    return EventSourceResponse(_holding(events, slots, user.user_id, stream_id), ping=PING_SECONDS)


async def current_status(
    clients: Clients, order_id: uuid.UUID, user_id: uuid.UUID
) -> StatusChange | None:
    async with clients.pg.connection() as conn:
        row = await orders.status_of(conn, order_id, user_id)
    if row is None:
        return None
    return StatusChange(row["order_id"], OrderStatus(row["status"]), row["changed_at"])


async def _holding(
    events: AsyncIterator[ServerSentEvent | None],
    slots: StreamSlots,
    user_id: uuid.UUID,
    stream_id: str,
) -> AsyncIterator[ServerSentEvent]:
    """The events, renewing the user's stream slot while waiting; the slot is given back at
    the end, however the stream ends."""
    try:
        async for event in events:
            if event is None:
                await slots.renew(user_id, stream_id)
            else:
                yield event
    finally:
        await slots.give_back(user_id, stream_id)


async def status_events(
    clients: Clients, fanout: StatusFanout, order_id: uuid.UUID, user_id: uuid.UUID
) -> AsyncIterator[ServerSentEvent | None]:
    """Status events; None each ``PING_SECONDS`` of quiet (time to renew the slot)."""
    ends_at = time.monotonic() + clients.settings.sse_max_seconds
    async with fanout.watch(str(order_id)) as changes:
        last = await current_status(clients, order_id, user_id)
        if last is None:
            return
        yield sse(last)
        while not is_final(last.status) and (left := ends_at - time.monotonic()) > 0:
            try:
                data = await asyncio.wait_for(changes.get(), min(PING_SECONDS, left))
            except TimeoutError:
                yield None
                continue
            if data is None:  # the feed ended: the client reconnects
                return
            change = status_from_json(data)
            if lies_ahead(change.status, last.status):
                last = change
                yield sse(change)


def sse(change: StatusChange) -> ServerSentEvent:
    return ServerSentEvent(
        data=status_json(change), event="status", id=f"{change.order_id}:{change.status}"
    )
