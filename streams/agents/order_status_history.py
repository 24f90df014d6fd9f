"""Order status history: every status an order row shows is recorded once (for
``GET /v1/orders/{id}/status``) and published on the order's Redis channel (for the SSE stream).

Publishing happens on every delivery, repeats included, so a crash between the two writes
cannot lose a live update; the SSE endpoint drops statuses it has already sent.
"""

from collections.abc import AsyncIterator

from faust import StreamT

from domain.status_history import change_of
from schemas.events import OrderEvent
from schemas.order_status import StatusChange
from schemas.redis_keys import order_status_channel
from schemas.topics import ORDERS
from streams.app import app, topic
from streams.ports import ports
from streams.records import after_image
from streams.retry import until_done
from streams.topology import AgentSpec, postgres

AGENTS = (
    AgentSpec(
        "order_status_history",
        ORDERS,
        sinks=(postgres("order_status_history"), f"redis:{order_status_channel('{orderId}')}"),
    ),
)


@app.agent(topic(ORDERS))
async def order_status_history(records: StreamT[bytes]) -> AsyncIterator[StatusChange | None]:
    """Yields what each record did (tests read it; the worker has no sink for it)."""
    async for record in records:
        yield await record_status(record)


async def record_status(record: bytes | None) -> StatusChange | None:
    order = after_image(ORDERS, OrderEvent, record)
    if order is None:
        return None
    change = change_of(order)
    sinks = await ports()
    what = f"order {change.order_id} status {change.status}"
    await until_done(lambda: sinks.history.record(change), f"recording {what}")
    await until_done(lambda: sinks.feed.publish(change), f"publishing {what}")
    return change
