"""Single-use account tokens in Postgres: only their digest is kept (``domain.accounts``)."""

import uuid

from psycopg import AsyncConnection

from domain.accounts import TokenPurpose


class AccountTokenStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def issue(
        self,
        user_id: uuid.UUID,
        purpose: TokenPurpose,
        digest: bytes,
        token_id: uuid.UUID,
        ttl_seconds: float,
    ) -> None:
        """A new token of ``purpose``; the account's unused ones of that purpose stop
        working (the newest mail is the one that counts)."""
        await self.conn.execute(
            "UPDATE account_tokens SET used_at = now()"
            " WHERE user_id = %s AND purpose = %s AND used_at IS NULL",
            (user_id, purpose),
        )
        await self.conn.execute(
            "INSERT INTO account_tokens (token_id, user_id, purpose, digest, expires_at)"
            " VALUES (%s, %s, %s, %s, now() + make_interval(secs => %s))",
            (token_id, user_id, purpose, digest, ttl_seconds),
        )

    async def spend(self, digest: bytes, purpose: TokenPurpose) -> uuid.UUID | None:
        """The account a live, unused token of ``purpose`` belongs to, the token spent in the
        same statement (two uses at once: one wins); None for any other token."""
        cur = await self.conn.execute(
            "UPDATE account_tokens SET used_at = now()"
            " WHERE digest = %s AND purpose = %s AND used_at IS NULL AND expires_at > now()"
            " RETURNING user_id",
            (digest, purpose),
        )
        row = await cur.fetchone()
        return None if row is None else row["user_id"]
