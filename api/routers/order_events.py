"""Live order status as Server-Sent Events: the current status first, then every change.

What is sent is ``services.orders.watch_status``: the current status, then each change ahead
of it, until a final status or ``SHOP_SSE_MAX_SECONDS`` (browsers' EventSource reconnects by
itself). A user has at most ``SHOP_SSE_STREAMS_PER_USER`` streams open (429 beyond), and no
stream holds a connection of the request pool (``adapters.status_feed``).
"""

import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from adapters.status_feed import StatusFanout, StreamSlots, status_json
from api.auth import CurrentUser
from api.deps import ServicesDep
from api.errors import ApiError
from api.models.orders import OrderStatusEvent
from api.openapi import error_responses, event_stream
from api.params import OrderIdPath
from domain.orders import OrderNotFound
from domain.status_history import StatusChange
from services.orders import latest_status, watch_status

router = APIRouter(prefix="/orders", tags=["orders"], responses=error_responses(401, 404))

PING_SECONDS = 15


STATUS_EVENTS = event_stream(
    "status", OrderStatusEvent, "The current status, then each change, as `status` events"
)


@router.get("/{orderId}/events", response_class=EventSourceResponse, responses=STATUS_EVENTS)
async def stream_order_status(
    order_id: OrderIdPath, user: CurrentUser, services: ServicesDep, request: Request
) -> EventSourceResponse:
    """``event: status`` messages with ``{orderId, status, changedAt}``; owner only."""
    if await latest_status(services, order_id, user.user_id) is None:
        raise OrderNotFound(order_id)
    clients, settings = services.engines, services.settings
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
    changes = watch_status(services, fanout, order_id, user.user_id, PING_SECONDS)
    return EventSourceResponse(_holding(changes, slots, user.user_id, stream_id), ping=PING_SECONDS)


async def _holding(
    changes: AsyncIterator[StatusChange | None],
    slots: StreamSlots,
    user_id: uuid.UUID,
    stream_id: str,
) -> AsyncIterator[ServerSentEvent]:
    """The changes as events, renewing the user's stream slot while quiet; the slot is given
    back at the end, however the stream ends."""
    try:
        async for change in changes:
            if change is None:
                await slots.renew(user_id, stream_id)
            else:
                yield sse(change)
    finally:
        await slots.give_back(user_id, stream_id)


def sse(change: StatusChange) -> ServerSentEvent:
    return ServerSentEvent(
        data=status_json(change), event="status", id=f"{change.order_id}:{change.status}"
    )
