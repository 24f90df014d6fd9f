"""Order status history rows in Postgres (``GET /v1/orders/{id}/status`` reads them)."""

from psycopg import AsyncConnection

from domain.status_history import StatusChange

HISTORY_SOURCE = "cdc"


class StatusHistoryStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def record(self, change: StatusChange) -> None:
        """One row per status; a repeat keeps the first timestamp."""
        await self.conn.execute(
            "INSERT INTO order_status_history (order_id, status, changed_at, source)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (order_id, status) DO NOTHING",
            (change.order_id, change.status, change.changed_at, HISTORY_SOURCE),
        )
