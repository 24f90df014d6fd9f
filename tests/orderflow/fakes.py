"""In-memory stand-ins for the order-flow ports, so the agents run through Faust without engines.

They keep the Postgres adapters' rules (decide on the state read, write only what the decision
says, claims are unique) on plain dicts, plus a conservation check for every product.
"""

import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from domain.inventory import Hold, ReservationStatus, StockLevel, reserve
from domain.notifications import Notice, notification_id
from domain.orders import OrderStatus
from domain.settlement import (
    LIVE_PAYMENT_STATUSES,
    REFUND_REQUIRED,
    Decide,
    Decision,
    NoChange,
    OrderState,
    RefundRequired,
    Settle,
)
from schemas.order_status import StatusChange
from streams.ports import Ports


def units(available: int = 10, reserved: int = 0, sold: int = 0) -> tuple[int, int, int]:
    """What ``MemoryShop.units`` shows for a product stocked with 10 units."""
    assert available + reserved + sold == 10
    return available, reserved, sold


@dataclass
class Reservation:
    quantity: int
    expires_at: datetime
    status: ReservationStatus = ReservationStatus.HELD


@dataclass
class MemoryShop:
    users: dict[str, str] = field(default_factory=dict)  # user id -> email
    orders: dict[str, tuple[str, OrderStatus]] = field(default_factory=dict)  # -> user, status
    reservations: dict[tuple[str, str], Reservation] = field(default_factory=dict)
    stock: dict[str, StockLevel] = field(default_factory=dict)
    payments: dict[str, str] = field(default_factory=dict)  # order id -> live payment status
    notifications: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> kind, to
    history: dict[tuple[str, OrderStatus], datetime] = field(default_factory=dict)
    published: list[StatusChange] = field(default_factory=list)
    outbox: list[EmailMessage] = field(default_factory=list)
    mail_failures: int = 0  # how many sends fail before one succeeds

    def ports(self) -> Ports:
        return Ports(orders=self, history=self, feed=self, notices=self, mailer=self)

    def new_order(self, lines: dict[str, int], hold_seconds: float = 600) -> tuple[str, str]:
        """(order id, user id) of a new customer's order, as checkout leaves it: RESERVED, its
        units moved from available to reserved (10 stocked per product) and held."""
        user_id, order_id = str(uuid.uuid4()), str(uuid.uuid4())
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

    # OrderBook
    async def settle(self, order_id: str, decide: Decide) -> Decision:
        if order_id not in self.orders:
            return NoChange("unknown order")
        return self._apply(order_id, decide)

    async def settle_expired(self, now: datetime, decide: Decide, limit: int) -> list[Decision]:
        due = sorted(
            order_id
            for order_id, (_, status) in self.orders.items()
            if status is OrderStatus.RESERVED
            and not self._live_payment(order_id)
            and any(h.expires_at < now for h in self._state(order_id).holds)
        )
        return [self._apply(order_id, decide) for order_id in due[:limit]]

    def _live_payment(self, order_id: str) -> bool:
        return self.payments.get(order_id) in LIVE_PAYMENT_STATUSES

    def _state(self, order_id: str) -> OrderState:
        holds = tuple(
            Hold(product_id, r.quantity, r.expires_at)
            for (o, product_id), r in sorted(self.reservations.items())
            if o == order_id and r.status is ReservationStatus.HELD
        )
        return OrderState(order_id, self.status(order_id), holds, self._live_payment(order_id))

    def _apply(self, order_id: str, decide: Decide) -> Decision:
        decision = decide(self._state(order_id))
        user_id, _ = self.orders[order_id]
        if isinstance(decision, Settle):
            self.orders[order_id] = (user_id, decision.order_status)
            for move in decision.moves:
                self.reservations[(order_id, move.product_id)].status = decision.holds_become
                self.stock[move.product_id] = self.stock[move.product_id].apply(move)
        elif isinstance(decision, RefundRequired):
            self.notifications.setdefault(
                notification_id(order_id, REFUND_REQUIRED), (REFUND_REQUIRED, self.users[user_id])
            )
        return decision

    # StatusHistory and StatusFeed
    async def record(self, change: StatusChange) -> None:
        self.history.setdefault((change.order_id, change.status), change.changed_at)

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
