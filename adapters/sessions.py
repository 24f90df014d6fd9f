"""Sign-in sessions, their refresh tokens and the per-request look at an account's standing."""

import uuid
from dataclasses import dataclass

from psycopg import AsyncConnection
from psycopg.rows import class_row

OPEN_SESSION = """
INSERT INTO sessions (session_id, user_id, expires_at)
VALUES (%(session_id)s, %(user_id)s, now() + make_interval(secs => %(ttl)s))
"""

ADD_REFRESH_TOKEN = """
INSERT INTO refresh_tokens (token_hash, session_id) VALUES (%(token_hash)s, %(session_id)s)
"""


@dataclass(frozen=True)
class Standing:
    """An account as a request sees it: its role now, its token version, and whether the
    session the token names still stands (not revoked, not expired)."""

    user_id: uuid.UUID
    role: str
    token_version: int
    session_live: bool


@dataclass(frozen=True)
class RefreshClaim:
    """A refresh token presented for rotation, read under its row lock."""

    session_id: uuid.UUID
    used: bool
    standing: Standing


_STANDING = """
SELECT u.user_id, u.role, u.token_version,
       (s.revoked_at IS NULL AND s.expires_at > now()) AS session_live
FROM users u JOIN sessions s ON s.user_id = u.user_id
WHERE u.user_id = %(user_id)s AND s.session_id = %(session_id)s
"""

_CLAIM = """
SELECT t.session_id, t.used_at IS NOT NULL AS used, s.user_id
FROM refresh_tokens t JOIN sessions s USING (session_id)
WHERE t.token_hash = %(token_hash)s
FOR UPDATE OF t
"""


async def open_session(conn: AsyncConnection, user_id: uuid.UUID, ttl_seconds: int) -> uuid.UUID:
    session_id = uuid.uuid4()
    await conn.execute(
        OPEN_SESSION, {"session_id": session_id, "user_id": user_id, "ttl": ttl_seconds}
    )
    return session_id


async def add_refresh_token(
    conn: AsyncConnection, session_id: uuid.UUID, token_hash: bytes
) -> None:
    await conn.execute(ADD_REFRESH_TOKEN, {"token_hash": token_hash, "session_id": session_id})


async def standing(
    conn: AsyncConnection, user_id: uuid.UUID, session_id: uuid.UUID
) -> Standing | None:
    """None when the account or the session no longer exists."""
    cur = await conn.cursor(row_factory=class_row(Standing)).execute(
        _STANDING, {"user_id": user_id, "session_id": session_id}
    )
    return await cur.fetchone()


async def claim_refresh_token(conn: AsyncConnection, token_hash: bytes) -> RefreshClaim | None:
    """The token's session and whether it was used before, locked until the transaction
    ends (two concurrent refreshes with one token: the second sees it used)."""
    cur = await conn.execute(_CLAIM, {"token_hash": token_hash})
    row = await cur.fetchone()
    if row is None:
        return None
    found = await standing(conn, row["user_id"], row["session_id"])
    if found is None:
        return None
    return RefreshClaim(row["session_id"], row["used"], found)


async def mark_used(conn: AsyncConnection, token_hash: bytes) -> None:
    await conn.execute(
        "UPDATE refresh_tokens SET used_at = now() WHERE token_hash = %s", (token_hash,)
    )


async def revoke_session(conn: AsyncConnection, session_id: uuid.UUID, reason: str) -> None:
    await conn.execute(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = %s"
        " WHERE session_id = %s AND revoked_at IS NULL",
        (reason, session_id),
    )


async def revoke_all(conn: AsyncConnection, user_id: uuid.UUID, reason: str) -> int:
    """Ends every live session of the account; how many there were."""
    cur = await conn.execute(
        "UPDATE sessions SET revoked_at = now(), revoked_reason = %s"
        " WHERE user_id = %s AND revoked_at IS NULL",
        (reason, user_id),
    )
    return cur.rowcount
