"""The I/O the order-flow agents need, behind small interfaces.

The worker plugs in Postgres, Redis and SMTP; the topology tests install in-memory versions
(``install``) and drive the very same agents through Faust's test context.
"""

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from adapters.notices import PostgresNoticeBook
from adapters.order_book import PostgresOrderBook
from adapters.smtp import SmtpMailer
from adapters.status_history import PostgresStatusHistory, RedisStatusFeed
from domain.notifications import Notice
from domain.settlement import Decide, Decision
from schemas.order_status import StatusChange
from streams.resources import resources


class OrderBook(Protocol):
    async def settle(self, order_id: str, decide: Decide) -> Decision:
        """Lock the order, apply what ``decide`` answers for its state, in one transaction."""

    async def settle_expired(self, now: datetime, decide: Decide, limit: int) -> list[Decision]:
        """The same for up to ``limit`` RESERVED orders holding stock past its expiry."""


class StatusHistory(Protocol):
    async def record(self, change: StatusChange) -> None: ...


class StatusFeed(Protocol):
    async def publish(self, change: StatusChange) -> None: ...


class NoticeBook(Protocol):
    async def recipient(self, user_id: str) -> str | None: ...

    async def claim(self, notice: Notice, recipient: str) -> bool:
        """True when the caller now owns the sending of this notice."""

    async def release(self, notice: Notice) -> None: ...


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


@dataclass
class Ports:
    orders: OrderBook
    history: StatusHistory
    feed: StatusFeed
    notices: NoticeBook
    mailer: Mailer


_installed: Ports | None = None


async def ports() -> Ports:
    """The worker's ports, built on the shared engine connections on first use."""
    global _installed
    if _installed is None:
        clients = await resources()
        settings = clients.settings
        _installed = Ports(
            orders=PostgresOrderBook(clients.pg),
            history=PostgresStatusHistory(clients.pg),
            feed=RedisStatusFeed(clients.redis),
            notices=PostgresNoticeBook(clients.pg),
            mailer=SmtpMailer(settings.smtp_host, settings.smtp_port),
        )
    return _installed


def install(replacement: Ports | None) -> None:
    """Swap the ports (None: back to the engines on next use)."""
    global _installed
    _installed = replacement
