"""What a change of an order row sets off: its status history and live stream, and the email
the customer gets (confirmed, shipped). Both are safe to repeat for a redelivered change."""

import logging

from domain.notifications import notice_for
from domain.orders import OrderSnapshot
from domain.status_history import StatusChange, change_of
from services.context import Services

log = logging.getLogger(__name__)


async def record_status(services: Services, order: OrderSnapshot) -> StatusChange:
    """One history row per status (a repeat keeps the first); the change is published on every
    delivery, so a crash between the two writes cannot lose a live update (the SSE endpoint
    drops statuses it has already sent)."""
    change = change_of(order)
    async with services.unit_of_work() as uow:
        await uow.history.record(change)
    await services.status_feed.publish(change)
    log.info("status %s recorded and published", change.status)
    return change


async def notify(services: Services, order: OrderSnapshot) -> bool:
    """True when this call sent the email. The notification row (id ``<order>:<status>``) is
    claimed before sending and deleted when sending fails, so redeliveries and concurrent
    workers send at most once, and a failure is retried."""
    notice = notice_for(order)
    if notice is None:
        return False
    async with services.unit_of_work() as uow:
        recipient = await uow.notices.recipient(notice.user_id)
        if recipient is None:
            log.warning("no user %s for notice %s", notice.user_id, notice.notification_id)
            return False
        if not await uow.notices.claim(notice, recipient):
            return False
    try:
        await services.mailer.send(notice.email(services.settings.mail_sender, recipient))
    except Exception:
        async with services.unit_of_work() as uow:
            await uow.notices.release(notice)
        raise
    log.info("sent %s to %s", notice.notification_id, recipient)
    return True
