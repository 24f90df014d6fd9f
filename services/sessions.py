"""Sessions: sign in, refresh, sign out, change the password (signing up and proving the
address: ``services.verification``).

A session starts at sign-in and lasts ``SHOP_REFRESH_TOKEN_TTL_SECONDS``. Its access tokens
live ``SHOP_ACCESS_TOKEN_TTL_SECONDS`` (15 minutes); a refresh token (opaque, stored only as a
hash) buys the next access token once and is replaced by a new one. A refresh token presented
a second time means two parties hold it (it was stolen): the session is revoked, so neither
can go on. Signing out revokes the session; changing the password bumps the account's token
version and revokes every session, starts a new one for the caller and mails a notice.

Failed sign-ins slow their source down (``adapters.login_throttle``): the attacker, never the
owner signing in from elsewhere. Every password is hashed through the process's bounded
hasher (``adapters.passwords``).
"""

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass

import jwt
from psycopg import AsyncConnection

from adapters import sessions, users
from adapters.login_throttle import LoginThrottle
from adapters.passwords import PasswordHashing, needs_rehash
from adapters.tokens import TokenKeys
from config import Settings
from domain.accounts import EmailNotVerified, MailKind
from domain.errors import Throttled, Unauthenticated
from services.context import Services

REFRESH_TOKEN_BYTES = 32


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("wrong email or password")


class LoginLocked(Throttled):
    code = "login_locked"

    def __init__(self, seconds: float) -> None:
        super().__init__("too many failed logins; try again later", math.ceil(seconds))


@dataclass(frozen=True)
class Credentials:
    """The API process's signing keys and bounded password hasher."""

    keys: TokenKeys
    hashing: PasswordHashing


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class Principal:
    """Who is calling, as their live session shows it (the role is read, never trusted from
    the token, so a demotion applies to the next request)."""

    user_id: uuid.UUID
    role: str
    session_id: uuid.UUID

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


async def authenticate(services: Services, keys: TokenKeys, access_token: str) -> Principal:
    """The caller of a protected request: a valid token (signature, key, issuer, expiry) of a
    session that is still live, of an account whose token version is the token's."""
    try:
        claims = keys.verify(services.settings, access_token)
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("token expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("invalid token") from exc
    async with services.engines.pg.connection() as conn:
        found = await sessions.standing(conn, claims.user_id, claims.session_id)
    if found is None or not found.session_live or found.token_version != claims.token_version:
        raise Unauthenticated("session ended: sign in again")
    return Principal(claims.user_id, found.role, claims.session_id)


def _digest(refresh_token: str) -> bytes:
    return hashlib.sha256(refresh_token.encode()).digest()


async def sign_in(
    services: Services, credentials: Credentials, email: str, password: str, address: str
) -> TokenPair:
    """A new session. Locked addresses are refused before any hashing; an unknown email costs
    one hash like a wrong password, and counts alike. The right password of an account whose
    address was never confirmed is refused (403 ``email_not_verified``)."""
    throttle = LoginThrottle(services.engines.redis, services.settings)
    if (wait := await throttle.locked_for(email, address)) > 0:
        raise LoginLocked(wait)
    async with services.engines.pg.connection() as conn:
        account = await users.credentials(conn, email)
    stored_hash = account["password_hash"] if account else None
    matched = await credentials.hashing.matches(stored_hash, password)
    if account is None or not matched:
        await throttle.failed(email, address)
        raise InvalidCredentials
    await throttle.succeeded(email, address)
    if account["email_verified_at"] is None:
        raise EmailNotVerified
    upgraded = await credentials.hashing.hash(password) if needs_rehash(stored_hash) else None
    async with services.unit_of_work() as uow:
        if upgraded:
            await users.upgrade_hash(uow.conn, account["user_id"], upgraded)
        return await _start_session(
            uow.conn,
            credentials.keys,
            services.settings,
            account["user_id"],
            account["token_version"],
        )


async def refresh(services: Services, keys: TokenKeys, refresh_token: str) -> TokenPair:
    """The session's next token pair; unknown, ended or reused refresh tokens are refused
    (a reuse revokes the session first, and that revocation is committed)."""
    async with services.unit_of_work() as uow:
        claim = await sessions.claim_refresh_token(uow.conn, _digest(refresh_token))
        if claim is not None and claim.standing.session_live and not claim.used:
            await sessions.mark_used(uow.conn, _digest(refresh_token))
            found = claim.standing
            return await _next_pair(
                uow.conn,
                keys,
                services.settings,
                found.user_id,
                claim.session_id,
                found.token_version,
            )
        if claim is not None and claim.used:
            await sessions.revoke_session(uow.conn, claim.session_id, "refresh token reused")
    if claim is not None and claim.used:
        raise Unauthenticated("refresh token already used: the session is revoked")
    raise Unauthenticated("invalid or expired refresh token")


async def sign_out(services: Services, session_id: uuid.UUID) -> None:
    async with services.unit_of_work() as uow:
        await sessions.revoke_session(uow.conn, session_id, "signed out")


async def change_password(
    services: Services,
    credentials: Credentials,
    user_id: uuid.UUID,
    current_password: str,
    new_password: str,
) -> TokenPair:
    """Every earlier token and session of the account ends; the caller gets a new session."""
    async with services.engines.pg.connection() as conn:
        stored_hash = await users.password_hash(conn, user_id)
    if not await credentials.hashing.matches(stored_hash, current_password):
        raise Unauthenticated("the current password is wrong")
    new_hash = await credentials.hashing.hash(new_password)
    async with services.unit_of_work() as uow:
        version = await users.set_password(uow.conn, user_id, new_hash)
        await sessions.revoke_all(uow.conn, user_id, "password changed")
        await uow.account_mail.queue(user_id, MailKind.PASSWORD_CHANGED)
        return await _start_session(uow.conn, credentials.keys, services.settings, user_id, version)


async def _start_session(
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
