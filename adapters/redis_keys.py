"""Redis key names shared across processes. Stock keys live with their one adapter
(``adapters/stock_cache.py``)."""


def rate_limit_key(scope: str, subject: str, window: int) -> str:
    """Request counter of one subject (an IP or a user id) in one fixed window."""
    return f"ratelimit:{scope}:{subject}:{window}"


def order_status_channel(order_id: str) -> str:
    """Pub/sub channel of an order's live status changes (published by streams, read by SSE)."""
    return f"order-status:{order_id}"


def stream_slots_key(user_id: str) -> str:
    """The open status streams of one user (a sorted set: stream id -> lease expiry)."""
    return f"sse-streams:{user_id}"
