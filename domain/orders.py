"""The order lifecycle as pure code, shared by the API's operator endpoints and the stream agents.

RESERVED is where checkout leaves an order; payment outcomes and reservation expiry move it on
(streams), and operators ship and deliver it (API). Any other move is a bug or a stale event.
"""

from enum import StrEnum


class OrderStatus(StrEnum):
    RESERVED = "RESERVED"
    CONFIRMED = "CONFIRMED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    EXPIRED = "EXPIRED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"


ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.RESERVED: frozenset(
        {OrderStatus.CONFIRMED, OrderStatus.PAYMENT_FAILED, OrderStatus.EXPIRED}
    ),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.SHIPPED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
}


def is_final(status: OrderStatus) -> bool:
    return not ALLOWED_TRANSITIONS.get(status)
