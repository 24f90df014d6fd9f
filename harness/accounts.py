"""Accounts with live sessions, written straight to Postgres, with access tokens minted by the
API's own keys. A flash sale needs thousands of them, and hashing that many passwords would
dominate its run time; sign-in itself is tested through the API (tests/security)."""

import uuid
from dataclasses import dataclass

from psycopg import AsyncConnection

from adapters.sessions import OPEN_SESSION
from adapters.tokens import TokenKeys
from config import Settings

NO_LOGIN_HASH = "not-an-argon2-hash"
"""Accounts made here cannot log in; they use the tokens minted here."""


@dataclass(frozen=True)
class Account:
    user_id: uuid.UUID
    email: str
    session_id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def new_accounts(
    conn: AsyncConnection, settings: Settings, count: int, role: str = "customer"
) -> list[Account]:
    """``count`` accounts of ``role``, each signed in once."""
    run = uuid.uuid4().hex[:12]
    people = [
        (uuid.uuid4(), f"{role}-{run}-{i}@test.shopstream.dev", uuid.uuid4()) for i in range(count)
    ]
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO users (user_id, name, email, password_hash, role)"
            " VALUES (%s, 'Test Shopper', %s, %s, %s)",
            [(user_id, email, NO_LOGIN_HASH, role) for user_id, email, _ in people],
        )
        await cur.executemany(
            OPEN_SESSION,
            [
                {"session_id": sid, "user_id": uid, "ttl": settings.refresh_token_ttl_seconds}
                for uid, _, sid in people
            ],
        )
    keys = TokenKeys.from_settings(settings)
    return [
        Account(uid, email, sid, keys.issue(settings, uid, sid, token_version=1))
        for uid, email, sid in people
    ]
