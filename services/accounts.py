"""Accounts: a customer's own profile and delivery addresses; operators made from the CLI."""

import asyncio
import uuid

from adapters import users
from adapters.passwords import hash_password
from domain.errors import Refusal, Unauthenticated
from services.context import Services


class AddressLimit(Refusal):
    code = "address_limit"

    def __init__(self) -> None:
        super().__init__(f"at most {users.MAX_ADDRESSES} addresses per account")


async def profile(services: Services, user_id: uuid.UUID) -> dict:
    async with services.engines.pg.connection() as conn:
        row = await users.profile(conn, user_id)
    if row is None:
        raise Unauthenticated("the account of this token no longer exists")
    return row


async def add_address(services: Services, user_id: uuid.UUID, address: dict) -> None:
    """Appends one (at most ``users.MAX_ADDRESSES``)."""
    async with services.unit_of_work() as uow:
        if not await users.append_address(uow.conn, user_id, address):
            raise AddressLimit


async def addresses(services: Services, user_id: uuid.UUID) -> list[dict]:
    async with services.engines.pg.connection() as conn:
        return await users.addresses(conn, user_id)


async def create_admin(
    services: Services, email: str, password: str, name: str = "Administrator"
) -> uuid.UUID:
    """Creates the admin, or promotes an existing account and resets its password (idempotent:
    running it twice leaves one admin with the last password given). Signup never makes one."""
    password_hash = await asyncio.to_thread(hash_password, password)
    async with services.unit_of_work() as uow:
        return await users.upsert_admin(
            uow.conn, uuid.uuid4(), name, email.strip().lower(), password_hash
        )
