"""Users and their delivery addresses (a JSONB array on the user row)."""

import uuid

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb

from domain.accounts import ExistingAccount

MAX_ADDRESSES = 20


async def insert_user(
    conn: AsyncConnection, user_id: uuid.UUID, name: str, email: str, password_hash: str
) -> bool:
    """A customer's account, unverified until its owner uses the mailed token; False when the
    email is taken. Signup never grants a role other than customer."""
    cur = await conn.execute(
        "INSERT INTO users (user_id, name, email, password_hash) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (email) DO NOTHING RETURNING user_id",
        (user_id, name, email, password_hash),
    )
    return await cur.fetchone() is not None


async def account_of(conn: AsyncConnection, email: str) -> ExistingAccount | None:
    cur = await conn.execute(
        "SELECT user_id, role, email_verified_at FROM users WHERE email = %s", (email,)
    )
    row = await cur.fetchone()
    return (
        None
        if row is None
        else ExistingAccount(row["user_id"], row["role"], row["email_verified_at"])
    )


async def insert_admin(
    conn: AsyncConnection, user_id: uuid.UUID, name: str, email: str, password_hash: str
) -> bool:
    """An operator's new account, verified (the operator vouches for the address); False
    when the address is taken (meanwhile)."""
    cur = await conn.execute(
        "INSERT INTO users (user_id, name, email, password_hash, role, email_verified_at)"
        " VALUES (%s, %s, %s, %s, 'admin', now()) ON CONFLICT (email) DO NOTHING"
        " RETURNING user_id",
        (user_id, name, email, password_hash),
    )
    return await cur.fetchone() is not None


async def promote(conn: AsyncConnection, user_id: uuid.UUID, password_hash: str) -> bool:
    """A verified account becomes an admin with the password given, and every token issued
    before stops working (the token version moves on); False unless verified."""
    cur = await conn.execute(
        "UPDATE users SET role = 'admin', password_hash = %s, token_version = token_version + 1"
        " WHERE user_id = %s AND email_verified_at IS NOT NULL RETURNING user_id",
        (password_hash, user_id),
    )
    return await cur.fetchone() is not None


async def mark_verified(conn: AsyncConnection, user_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, now())"
        " WHERE user_id = %s",
        (user_id,),
    )


async def credentials(conn: AsyncConnection, email: str) -> dict | None:
    cur = await conn.execute(
        "SELECT user_id, password_hash, token_version, email_verified_at FROM users"
        " WHERE email = %s",
        (email,),
    )
    return await cur.fetchone()


async def password_hash(conn: AsyncConnection, user_id: uuid.UUID) -> str | None:
    cur = await conn.execute("SELECT password_hash FROM users WHERE user_id = %s", (user_id,))
    row = await cur.fetchone()
    return row["password_hash"] if row else None


async def set_password(conn: AsyncConnection, user_id: uuid.UUID, new_hash: str) -> int:
    """Store a new password hash and end every token issued before: the new token version."""
    cur = await conn.execute(
        "UPDATE users SET password_hash = %s, token_version = token_version + 1"
        " WHERE user_id = %s RETURNING token_version",
        (new_hash, user_id),
    )
    row = await cur.fetchone()
    if row is None:
        raise LookupError(f"no user {user_id}")
    return row["token_version"]


async def upgrade_hash(conn: AsyncConnection, user_id: uuid.UUID, new_hash: str) -> None:
    """The same password hashed with current parameters: sessions stay valid."""
    await conn.execute(
        "UPDATE users SET password_hash = %s WHERE user_id = %s", (new_hash, user_id)
    )


async def profile(conn: AsyncConnection, user_id: uuid.UUID) -> dict | None:
    cur = await conn.execute(
        "SELECT user_id, name, email, email_verified_at IS NOT NULL AS email_verified, role,"
        " addresses, created_at FROM users WHERE user_id = %s",
        (user_id,),
    )
    return await cur.fetchone()


async def append_address(conn: AsyncConnection, user_id: uuid.UUID, address: dict) -> bool:
    """False when the user already has MAX_ADDRESSES addresses (or does not exist)."""
    cur = await conn.execute(
        "UPDATE users SET addresses = addresses || jsonb_build_array(%s::jsonb)"
        " WHERE user_id = %s AND jsonb_array_length(addresses) < %s RETURNING user_id",
        (Jsonb(address), user_id, MAX_ADDRESSES),
    )
    return await cur.fetchone() is not None


async def addresses(conn: AsyncConnection, user_id: uuid.UUID) -> list[dict]:
    cur = await conn.execute("SELECT addresses FROM users WHERE user_id = %s", (user_id,))
    row = await cur.fetchone()
    return row["addresses"] if row else []
