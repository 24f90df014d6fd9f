"""Notification claims in Postgres: the row is written before the email goes out, so two
workers (or a redelivery) never both send; a failed send deletes it so a retry may claim it."""

from psycopg import AsyncConnection

from domain.notifications import Notice


class NoticeStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def recipient(self, user_id: str) -> str | None:
        cur = await self.conn.execute("SELECT email FROM users WHERE user_id = %s", (user_id,))
        row = await cur.fetchone()
        return row["email"] if row else None

    async def claim(self, notice: Notice, recipient: str) -> bool:
        """True when this call wrote the row, i.e. this worker owns the sending."""
        cur = await self.conn.execute(
            "INSERT INTO notifications (notification_id, order_id, kind, recipient)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (notification_id) DO NOTHING"
            " RETURNING notification_id",
            (notice.notification_id, notice.order_id, notice.kind, recipient),
        )
        return await cur.fetchone() is not None

    async def release(self, notice: Notice) -> None:
        await self.conn.execute(
            "DELETE FROM notifications WHERE notification_id = %s", (notice.notification_id,)
        )
