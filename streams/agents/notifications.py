"""Notifications: confirmed and shipped orders get an email and a ``notifications`` row
(``services.order_updates.notify``: claimed before sending, so at most one email)."""

from collections.abc import AsyncIterator
from functools import partial

from faust import StreamT

from config.logs import bound
from services.order_updates import notify
from streams.app import app, topic
from streams.dead_letters import typed
from streams.retry import retry_forever
from streams.topics import ORDERS
from streams.topology import AgentSpec, postgres
from streams.wiring import services

AGENTS = (AgentSpec("notifications", ORDERS, sinks=(postgres("notifications"), "smtp:customer")),)


@app.agent(topic(ORDERS))
async def notifications(records: StreamT[bytes]) -> AsyncIterator[bool]:
    """Yields whether each record sent an email (tests read it)."""
    async for key, value in records.items():
        order = typed(ORDERS, key, value)
        if order is None:
            yield False
            continue
        handlers = await services()
        with bound(order_id=order.order_id, request_id=order.request_id):
            done = await retry_forever(
                partial(notify, handlers, order), f"notifying order {order.order_id} {order.status}"
            )
        yield done
