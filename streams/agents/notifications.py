"""Notifications: confirmed and shipped orders get an email and a ``notifications`` row.

The row (id ``<order_id>:<status>``) is claimed before sending and deleted when sending fails,
so redeliveries and concurrent workers send at most once, and a failure is retried.
"""

import logging
from collections.abc import AsyncIterator

from faust import StreamT

from domain.notifications import Notice, notice_for
from schemas.events import OrderEvent
from schemas.topics import ORDERS
from streams.app import app, settings, topic
from streams.ports import Ports, ports
from streams.records import after_image
from streams.retry import until_done
from streams.topology import AgentSpec, postgres

log = logging.getLogger(__name__)

AGENTS = (AgentSpec("notifications", ORDERS, sinks=(postgres("notifications"), "smtp:customer")),)


@app.agent(topic(ORDERS))
async def notifications(records: StreamT[bytes]) -> AsyncIterator[bool]:
    """Yields what each record did (tests read it; the worker has no sink for it)."""
    async for record in records:
        yield await notify(record)


async def notify(record: bytes | None) -> bool:
    """True when this delivery sent the email."""
    order = after_image(ORDERS, OrderEvent, record)
    notice = notice_for(order) if order else None
    if notice is None:
        return False
    sinks = await ports()
    return await until_done(lambda: deliver(sinks, notice), f"notice {notice.notification_id}")


async def deliver(sinks: Ports, notice: Notice) -> bool:
    recipient = await sinks.notices.recipient(notice.user_id)
    if recipient is None:
        log.warning("no user %s for notice %s", notice.user_id, notice.notification_id)
        return False
    if not await sinks.notices.claim(notice, recipient):
        return False
    try:
        await sinks.mailer.send(notice.email(settings.mail_sender, recipient))
    except Exception:
        await sinks.notices.release(notice)
        raise
    log.info("sent %s to %s", notice.notification_id, recipient)
    return True
