"""Order status history: every status an order row shows is recorded once (for
``GET /v1/orders/{id}/status``) and published on the order's Redis channel (for the SSE
stream), by ``services.order_updates.record_status``."""

from collections.abc import AsyncIterator
from functools import partial

from faust import StreamT

from adapters.redis_keys import order_status_channel
from config.logs import bound
from domain.status_history import StatusChange
from services.order_updates import record_status
from streams.app import app, topic
from streams.dead_letters import typed
from streams.retry import retry_forever
from streams.topics import ORDERS
from streams.topology import AgentSpec, postgres
from streams.wiring import services

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
    async for key, value in records.items():
        order = typed(ORDERS, key, value)
        if order is None:
            yield None
            continue
        handlers = await services()
        with bound(order_id=order.order_id, request_id=order.request_id):
            done = await retry_forever(
                partial(record_status, handlers, order),
                f"recording order {order.order_id} status {order.status}",
            )
        yield done
