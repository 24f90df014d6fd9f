"""Order status changes as the history and the live status stream see them, as pure code."""

from dataclasses import dataclass
from datetime import UTC, datetime

from domain.orders import ALLOWED_TRANSITIONS, OrderSnapshot, OrderStatus


@dataclass(frozen=True)
class StatusChange:
    """An order reached ``status`` at ``changed_at``."""

    order_id: str
    status: OrderStatus
    changed_at: datetime


def change_of(order: OrderSnapshot) -> StatusChange:
    """The status an order row shows after a create or update, stamped with its ``updated_at``.

    Debezium does not send the previous row (REPLICA IDENTITY DEFAULT), so every change is
    taken as "the order is in this status": the history keeps one row per status.
    """
    changed_at = order.updated_at or datetime.now(UTC)
    return StatusChange(order.order_id, order.status, changed_at)


def lies_ahead(new: OrderStatus, last: OrderStatus) -> bool:
    """True when ``new`` lies ahead of ``last`` in the lifecycle, so a live stream shows it.

    A late or repeated status (the history agent lags behind the row a client read) is dropped.
    """
    following = ALLOWED_TRANSITIONS.get(last, frozenset())
    return any(new is status or lies_ahead(new, status) for status in following)
