"""Redis key names, declared once: the stock cache is written by streams and read by the API."""


def stock_key(product_id: str) -> str:
    """Cached ``available_qty`` of a product (write-through from Postgres via CDC)."""
    return f"stock:{product_id}"


def stock_lsn_key(product_id: str) -> str:
    """Postgres LSN of the inventory change ``stock_key`` holds: older or repeated events lose."""
    return f"stock-lsn:{product_id}"


def checkout_gate_key(order_id: str) -> str:
    """Marks an order already admitted by the flash-sale gate (idempotent retries)."""
    return f"gate:{order_id}"


def rate_limit_key(scope: str, subject: str, window: int) -> str:
    """Request counter of one subject (an IP or a user id) in one fixed window."""
    return f"ratelimit:{scope}:{subject}:{window}"


def order_status_channel(order_id: str) -> str:
    """Pub/sub channel of an order's live status changes (published by streams, read by SSE)."""
    return f"order-status:{order_id}"
