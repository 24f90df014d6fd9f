"""Mail to account holders: queued in the transaction that calls for it (an outbox row the
orders worker sends from its change record), claimed before sending, as order notices are."""

import uuid

from psycopg import AsyncConnection

from domain.accounts import AccountMail, MailKind


class AccountMailStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def sent_recently(self, user_id: uuid.UUID, kind: MailKind, seconds: float) -> bool:
        """A mail of this kind went to the account less than ``seconds`` ago: a stranger
        asking again and again cannot flood an inbox (nor supersede its links)."""
        cur = await self.conn.execute(
            "SELECT 1 FROM account_mail WHERE user_id = %s AND kind = %s"
            " AND created_at > now() - make_interval(secs => %s) LIMIT 1",
            (user_id, kind, seconds),
        )
        return await cur.fetchone() is not None

    async def queue(
        self, user_id: uuid.UUID, kind: MailKind, token_id: uuid.UUID | None = None
    ) -> None:
        await self.conn.execute(
            "INSERT INTO account_mail (mail_id, user_id, kind, token_id) VALUES (%s, %s, %s, %s)",
            (uuid.uuid4(), user_id, kind, token_id),
        )

    async def recipient(self, user_id: str) -> tuple[str, str] | None:
        """(name, email) of the account, or None when it is gone."""
        cur = await self.conn.execute(
            "SELECT name, email FROM users WHERE user_id = %s", (user_id,)
        )
        row = await cur.fetchone()
        return None if row is None else (row["name"], row["email"])

    async def claim(self, mail: AccountMail) -> bool:
        """True when this call now owns the sending (nobody sent or is sending it)."""
        cur = await self.conn.execute(
            "UPDATE account_mail SET sent_at = now() WHERE mail_id = %s AND sent_at IS NULL"
            " RETURNING mail_id",
            (mail.mail_id,),
        )
        return await cur.fetchone() is not None

    async def release(self, mail: AccountMail) -> None:
        """The send failed: a retry may claim it again."""
        await self.conn.execute(
            "UPDATE account_mail SET sent_at = NULL WHERE mail_id = %s", (mail.mail_id,)
        )
