"""Sign-in, refresh, sign-out and password change, each one Postgres unit of work.

A session starts at sign-in and lasts ``SHOP_REFRESH_TOKEN_TTL_SECONDS``. Its access tokens
live ``SHOP_ACCESS_TOKEN_TTL_SECONDS`` (15 minutes); a refresh token (opaque, stored only as a
hash) buys the next access token once and is replaced by a new one. A refresh token presented
a second time means two parties hold it (it was stolen): the session is revoked, so neither
can go on. Signing out revokes the session; changing the password bumps the account's token
version and revokes every session, and starts a new one for the caller.
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from api.auth import unauthorized
from api.repositories import sessions, users
from api.tokens import TokenKeys
from schemas.settings import Settings

REFRESH_TOKEN_BYTES = 32


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def _digest(refresh_token: str) -> bytes:
    return hashlib.sha256(refresh_token.encode()).digest()


async def start_session(
    conn: AsyncConnection,
    keys: TokenKeys,
    settings: Settings,
    user_id: uuid.UUID,
    token_version: int,
) -> TokenPair:
    session_id = await sessions.open_session(conn, user_id, settings.refresh_token_ttl_seconds)
    return await _next_pair(conn, keys, settings, user_id, session_id, token_version)


async def _next_pair(
    conn: AsyncConnection,
    keys: TokenKeys,
    settings: Settings,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    token_version: int,
) -> TokenPair:
    refresh_token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    await sessions.add_refresh_token(conn, session_id, _digest(refresh_token))
    return TokenPair(
        keys.issue(settings, user_id, session_id, token_version),
        refresh_token,
        settings.access_token_ttl_seconds,
    )


async def refresh(
    pg: AsyncConnectionPool, keys: TokenKeys, settings: Settings, refresh_token: str
) -> TokenPair:
    """The session's next token pair; a 401 for an unknown, ended or reused refresh token
    (a reuse revokes the session first)."""
    async with pg.connection() as conn, conn.transaction():
        claim = await sessions.claim_refresh_token(conn, _digest(refresh_token))
        if claim is not None and claim.standing.session_live and not claim.used:
            await sessions.mark_used(conn, _digest(refresh_token))
            found = claim.standing
            return await _next_pair(
                conn, keys, settings, found.user_id, claim.session_id, found.token_version
            )
        if claim is not None and claim.used:
            await sessions.revoke_session(conn, claim.session_id, "refresh token reused")
    if claim is not None and claim.used:
        raise unauthorized("refresh token already used: the session is revoked")
    raise unauthorized("invalid or expired refresh token")


async def sign_out(pg: AsyncConnectionPool, session_id: uuid.UUID) -> None:
    async with pg.connection() as conn:
        await sessions.revoke_session(conn, session_id, "signed out")


async def change_password(
    pg: AsyncConnectionPool,
    keys: TokenKeys,
    settings: Settings,
    user_id: uuid.UUID,
    new_hash: str,
) -> TokenPair:
    """Every earlier token and session of the account ends; the caller gets a new session."""
    async with pg.connection() as conn, conn.transaction():
        version = await users.set_password(conn, user_id, new_hash)
        await sessions.revoke_all(conn, user_id, "password changed")
        return await start_session(conn, keys, settings, user_id, version)
