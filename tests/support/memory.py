"""In-memory stand-ins for the handlers' stores and sinks, so the agents run through Faust's
test context without engines, wired the way the engines are (``Services``).

They hold data and do what the Postgres, Redis, SMTP and Elasticsearch adapters do with it
(row locks aside); the decisions stay in ``services/`` and ``domain/``, which run unchanged.
"""

import smtplib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Self

from adapters.catalog_documents import Product
from adapters.product_cache import DELETED, Cached
from adapters.search_index import product_to_search_doc
from config import Settings
from domain.catalog import CatalogChange
from domain.inventory import (
    Hold,
    ReservationStatus,
    StockChange,
    StockLevel,
    StockMove,
    is_newer_version,
    net_moves,
    reserve,
)
from domain.notifications import Notice
from domain.orders import OrderStatus
from domain.payments import GatewayOutcome, PaymentStatus
from domain.settlement import LIVE_PAYMENT_STATUSES, OrderState, Settle
from domain.status_history import StatusChange
from services.context import Services


@dataclass
class Reservation:
    quantity: int
    expires_at: datetime
    status: ReservationStatus = ReservationStatus.HELD


def units(available: int = 10, reserved: int = 0, sold: int = 0) -> tuple[int, int, int]:
    """What ``MemoryShop.units`` shows for a product stocked with 10 units."""
    assert available + reserved + sold == 10
    return available, reserved, sold


@dataclass
class MemoryShop:
    """Orders, holds, stock, history and notices; a unit of work over itself."""

    users: dict[str, str] = field(default_factory=dict)  # user id -> email
    orders: dict[str, tuple[str, OrderStatus]] = field(default_factory=dict)  # -> user, status
    reservations: dict[tuple[str, str], Reservation] = field(default_factory=dict)
    stock: dict[str, StockLevel] = field(default_factory=dict)
    payments: dict[str, tuple[str, PaymentStatus]] = field(default_factory=dict)  # id -> order
    refund_rows: dict[str, dict] = field(default_factory=dict)  # payment id -> refund
    notifications: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> kind, to
    redeemed: dict[str, int] = field(default_factory=dict)  # discount code -> live redemptions
    redemptions: dict[str, tuple[str, bool]] = field(default_factory=dict)  # order -> code, live
    status_rows: dict[tuple[str, OrderStatus], datetime] = field(default_factory=dict)
    published: list[StatusChange] = field(default_factory=list)
    outbox: list[EmailMessage] = field(default_factory=list)
    gateway: "MemoryGateway" = field(default_factory=lambda: MemoryGateway())
    mail_failures: int = 0  # how many sends fail before one succeeds

    def services(self, settings: Settings) -> Services:
        return Services(
            settings=settings,
            unit_of_work=lambda: self,
            status_feed=self,
            mailer=self,
            stock_mirror=MemoryStock(),
            catalog_quantity=MemoryStock(),
            search=MemorySearch(),
            products=MemoryProducts(),
            gateway=self.gateway,  # type: ignore[arg-type]
        )

    def record_payment(
        self, order_id: str, status: PaymentStatus, payment_id: str | None = None
    ) -> str:
        """The payment row as the storefront leaves it (a later status replaces it)."""
        payment_id = payment_id or str(uuid.uuid4())
        self.payments[payment_id] = (order_id, PaymentStatus(status))
        return payment_id

    def new_order(
        self, lines: dict[str, int], hold_seconds: float = 600, discount_code: str | None = None
    ) -> tuple[str, str]:
        """(order id, user id) of a new customer's order, as checkout leaves it: RESERVED, its
        units moved from available to reserved (10 stocked per product) and held, and the
        discount code's redemption taken."""
        user_id, order_id = str(uuid.uuid4()), str(uuid.uuid4())
        if discount_code is not None:
            self.redeemed[discount_code] = self.redeemed.get(discount_code, 0) + 1
            self.redemptions[order_id] = (discount_code, True)
        self.users[user_id] = f"{user_id}@example.com"
        self.orders[order_id] = (user_id, OrderStatus.RESERVED)
        expires_at = datetime.now(UTC) + timedelta(seconds=hold_seconds)
        for product_id, quantity in lines.items():
            stock = self.stock.get(product_id, StockLevel.fresh(product_id, 10))
            self.stock[product_id] = stock.apply(reserve(product_id, quantity))
            self.reservations[(order_id, product_id)] = Reservation(quantity, expires_at)
        return order_id, user_id

    def units(self, product_id: str) -> tuple[int, int, int]:
        """(available, reserved, sold) of a product: compare with ``units``."""
        level = self.stock[product_id]
        assert level.conserved, level
        return level.available, level.reserved, level.sold

    def status(self, order_id: str) -> OrderStatus:
        return self.orders[order_id][1]

    def holds_of(self, order_id: str) -> set[ReservationStatus]:
        return {r.status for (o, _), r in self.reservations.items() if o == order_id}

    def all_conserved(self) -> bool:
        return all(stock.conserved for stock in self.stock.values())

    # UnitOfWork (writes apply at once: nothing here rolls back)
    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    @property
    def settlement(self) -> Self:
        return self

    @property
    def history(self) -> Self:
        return self

    @property
    def notices(self) -> Self:
        return self

    @property
    def refunds(self) -> "MemoryRefunds":
        return MemoryRefunds(self)

    # SettlementStore
    async def lock_order(self, order_id: str) -> OrderState | None:
        return self._state(order_id) if order_id in self.orders else None

    async def lock_expired(self, now: datetime, limit: int) -> list[OrderState]:
        due = sorted(
            order_id
            for order_id, (_, status) in self.orders.items()
            if status is OrderStatus.RESERVED
            and not self._live_payment(order_id)
            and any(h.expires_at < now for h in self._state(order_id).holds)
        )
        return [self._state(order_id) for order_id in due[:limit]]

    async def settle(self, state: OrderState, decision: Settle) -> None:
        user_id, status = self.orders[state.order_id]
        assert status is state.status, "the order changed under its lock"
        self.orders[state.order_id] = (user_id, decision.order_status)
        for move in decision.moves:
            reservation = self.reservations[(state.order_id, move.product_id)]
            assert reservation.status is decision.holds_were, "converted twice"
            reservation.status = decision.holds_become

    async def move_stock(self, moves: Iterable[StockMove]) -> None:
        for move in net_moves(moves):
            self.stock[move.product_id] = self.stock[move.product_id].apply(move)

    async def give_back_discounts(self, order_ids: Sequence[str]) -> None:
        for order_id in order_ids:
            code, live = self.redemptions.get(order_id, ("", False))
            if live:
                self.redemptions[order_id] = (code, False)
                self.redeemed[code] -= 1

    async def payment_status(self, payment_id: str, order_id: str) -> PaymentStatus | None:
        of_order, status = self.payments.get(payment_id, ("", None))
        return status if of_order == order_id else None

    def _live_payment(self, order_id: str) -> bool:
        return any(
            o == order_id and status in LIVE_PAYMENT_STATUSES
            for o, status in self.payments.values()
        )

    def _state(self, order_id: str) -> OrderState:
        holds = tuple(
            Hold(product_id, r.quantity, r.expires_at)
            for (o, product_id), r in sorted(self.reservations.items())
            if o == order_id and r.status is ReservationStatus.HELD
        )
        return OrderState(order_id, self.status(order_id), holds, self._live_payment(order_id))

    # StatusHistory and StatusFeed
    async def record(self, change: StatusChange) -> None:
        self.status_rows.setdefault((change.order_id, change.status), change.changed_at)

    async def publish(self, change: StatusChange) -> None:
        self.published.append(change)

    # NoticeBook
    async def recipient(self, user_id: str) -> str | None:
        return self.users.get(user_id)

    async def claim(self, notice: Notice, recipient: str) -> bool:
        if notice.notification_id in self.notifications:
            return False
        self.notifications[notice.notification_id] = (notice.kind, recipient)
        return True

    async def release(self, notice: Notice) -> None:
        del self.notifications[notice.notification_id]

    # Mailer
    async def send(self, message: EmailMessage) -> None:
        if self.mail_failures:
            self.mail_failures -= 1
            raise smtplib.SMTPServerDisconnected("injected failure")
        self.outbox.append(message)


class MemoryStock:
    """A stock copy: keeps what it holds unless the change is newer (as the Redis and Mongo
    copies do inside their engines)."""

    def __init__(self) -> None:
        self.held: dict[str, StockChange] = {}
        self.writes = 0

    async def apply(self, change: StockChange) -> bool:
        held = self.held.get(change.product_id)
        if not is_newer_version(change.version, None if held is None else held.version):
            return False
        self.held[change.product_id] = change
        self.writes += 1
        return True

    async def overwrite(self, change: StockChange) -> bool:
        changed = self.held.get(change.product_id) != change
        self.held[change.product_id] = change
        return changed


class MemoryProducts:
    """The product cache: keeps the entry of the highest version written (as the Redis cache
    does in its Lua script)."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[int, Cached]] = {}

    async def put(self, product_id: str, version: int, product: Product | None) -> bool:
        held = self.entries.get(product_id)
        if held is not None and held[0] >= version:
            return False
        self.entries[product_id] = (version, DELETED if product is None else product)
        return True

    async def get_many(self, product_ids: Sequence[str]) -> dict[str, Cached]:
        return {pid: self.entries[pid][1] for pid in product_ids if pid in self.entries}


class MemorySearch:
    """The search index: a write keeps a stored document of a version not lower (as
    Elasticsearch's external versioning does)."""

    def __init__(self) -> None:
        self.documents: dict[str, dict] = {}
        self.versions: dict[str, int] = {}

    async def apply_many(self, changes: Sequence[CatalogChange]) -> None:
        for change in changes:
            if change.version <= self.versions.get(change.product_id, 0):
                continue  # Elasticsearch answers 409: this version or a newer one is there
            self.versions[change.product_id] = change.version
            if change.document is None:
                self.documents.pop(change.product_id, None)
            else:
                product = Product.model_validate(change.document)
                self.documents[change.product_id] = product_to_search_doc(product)


class MemoryRefunds:
    """Refund rows, one per succeeded payment (as the refunds table's unique payment id)."""

    def __init__(self, shop: MemoryShop) -> None:
        self.shop = shop

    def _open(self, payment_id: str) -> bool:
        order_id, status = self.shop.payments[payment_id]
        opened = status is PaymentStatus.SUCCEEDED and payment_id not in self.shop.refund_rows
        if opened:
            self.shop.refund_rows[payment_id] = {
                "refund_id": f"r-{payment_id}",
                "order_id": order_id,
                "payment_id": payment_id,
                "amount": Decimal("25.00"),
                "currency": "USD",
                "status": PaymentStatus.PENDING,
                "charge_id": f"ch-{payment_id}",
            }
        return opened

    async def open_for_order(self, order_id: uuid.UUID | str) -> None:
        for payment_id, (of_order, _) in list(self.shop.payments.items()):
            if of_order == str(order_id):
                self._open(payment_id)

    async def open_for_payment(self, payment_id: uuid.UUID | str) -> bool:
        return self._open(str(payment_id))

    async def of_order(self, order_id: uuid.UUID | str) -> dict | None:
        return next(
            (r for r in self.shop.refund_rows.values() if r["order_id"] == str(order_id)), None
        )

    async def of_payment(self, payment_id: uuid.UUID | str) -> dict | None:
        return self.shop.refund_rows.get(str(payment_id))

    async def unanswered(self, older_than_seconds: float, limit: int) -> list[dict]:
        open_ = [
            r for r in self.shop.refund_rows.values() if not PaymentStatus(r["status"]).settled
        ]
        return open_[:limit]

    async def record_outcome(self, refund_id: uuid.UUID | str, outcome: GatewayOutcome) -> dict:
        refund = next(r for r in self.shop.refund_rows.values() if r["refund_id"] == refund_id)
        if not PaymentStatus(refund["status"]).settled:
            refund["status"] = outcome.status
            refund["gateway_refund_id"] = outcome.transaction_id
        return refund


@dataclass
class MemoryGateway:
    """The card gateway's refunds: one answer per idempotency key, as the real one keeps."""

    refunded: dict[str, GatewayOutcome] = field(default_factory=dict)
    asks: int = 0
    down: bool = False

    async def refund(
        self, idempotency_key: str, charge_id: str, amount: Decimal, order_id: object
    ) -> GatewayOutcome:
        self.asks += 1
        if self.down:
            return GatewayOutcome.unknown("gateway_unreachable")
        return self.refunded.setdefault(
            idempotency_key, GatewayOutcome.succeeded(f"re-{idempotency_key}")
        )
