"""What handlers work with: a unit of work per call, and the sinks beyond Postgres.

Built from the engines by ``services.bootstrap.open_services`` (API, stream workers, CLI) or
from in-memory fakes in tests; handlers see only these interfaces.
"""

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol, Self

from psycopg import AsyncConnection

from adapters.catalog_documents import Product
from adapters.connections import Clients
from adapters.payment_gateway import PaymentGateway
from adapters.product_cache import Cached
from config import Settings
from domain.catalog import CatalogChange
from domain.inventory import StockCopy, StockMove
from domain.notifications import Notice
from domain.payments import GatewayOutcome, PaymentStatus
from domain.settlement import OrderState, Settle
from domain.status_history import StatusChange


class SettlementStore(Protocol):
    """Orders under their row lock, their holds, and the stock a settlement moves."""

    async def lock_order(self, order_id: str) -> OrderState | None: ...

    async def lock_expired(self, now: datetime, limit: int) -> list[OrderState]: ...

    async def settle(self, state: OrderState, decision: Settle) -> None: ...

    async def move_stock(self, moves: Iterable[StockMove]) -> None: ...

    async def give_back_discounts(self, order_ids: Sequence[str]) -> None: ...

    async def payment_status(self, payment_id: str, order_id: str) -> PaymentStatus | None:
        """The payment's status as Postgres holds it; None: no such payment of the order."""


class RefundBook(Protocol):
    """Refund rows (dicts of ``adapters.refunds`` columns), one per succeeded payment."""

    async def open_for_order(self, order_id: uuid.UUID | str) -> None: ...

    async def open_for_payment(self, payment_id: uuid.UUID | str) -> bool:
        """True when this call opened the refund (it did not exist)."""

    async def of_order(self, order_id: uuid.UUID | str) -> dict | None: ...

    async def of_payment(self, payment_id: uuid.UUID | str) -> dict | None: ...

    async def unanswered(self, older_than_seconds: float, limit: int) -> list[dict]: ...

    async def record_outcome(self, refund_id: uuid.UUID | str, outcome: GatewayOutcome) -> dict: ...


class StatusHistory(Protocol):
    async def record(self, change: StatusChange) -> None: ...


class NoticeBook(Protocol):
    async def recipient(self, user_id: str) -> str | None: ...

    async def claim(self, notice: Notice, recipient: str) -> bool:
        """True when the caller now owns the sending of this notice."""

    async def release(self, notice: Notice) -> None: ...


class UnitOfWork(Protocol):
    """Commits when its block ends normally, rolls back when it raises. ``conn`` is the
    transaction's Postgres connection, for the API's handlers, which write through the
    adapters' functions on it."""

    conn: AsyncConnection
    settlement: SettlementStore
    history: StatusHistory
    notices: NoticeBook
    refunds: RefundBook

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...


class StatusFeed(Protocol):
    """Live status changes for the open status streams."""

    async def publish(self, change: StatusChange) -> None: ...


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SearchSink(Protocol):
    """The search index; a write keeps a stored document with a version not lower."""

    async def apply_many(self, changes: Sequence[CatalogChange]) -> None: ...


class ProductCacheSink(Protocol):
    """Product documents by id, each kept at the newest catalog version written."""

    async def put(self, product_id: str, version: int, product: Product | None) -> bool: ...

    async def get_many(self, product_ids: Sequence[str]) -> dict[str, Cached]: ...


@dataclass
class Services:
    settings: Settings
    unit_of_work: Callable[[], UnitOfWork]
    status_feed: StatusFeed
    mailer: Mailer
    stock_mirror: StockCopy
    catalog_quantity: StockCopy
    search: SearchSink
    products: ProductCacheSink
    clients: Clients | None = None
    """The engine connections, for the API's handlers (None with fakes)."""
    gateway: PaymentGateway | None = None
    """The card gateway: the API charges through it, the orders worker and the operator's
    tools refund and reconcile through it (None where no gateway secret is configured)."""

    @property
    def engines(self) -> Clients:
        if self.clients is None:
            raise RuntimeError("this handler needs the engines; the fakes have none")
        return self.clients

    @property
    def payment_gateway(self) -> PaymentGateway:
        if self.gateway is None:
            raise RuntimeError("this handler needs the payment gateway: set SHOP_GATEWAY_SECRET")
        return self.gateway
