"""Accounts: a customer's own profile and delivery addresses; operators made from the CLI."""

import asyncio
import uuid
from dataclasses import dataclass

from adapters import sessions, users
from adapters.passwords import hash_password
from domain.accounts import AdminStep, admin_step
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


@dataclass(frozen=True)
class AdminOutcome:
    """What ``create_admin`` did: ``step``; the account; how many live sessions it ended."""

    step: AdminStep
    user_id: uuid.UUID | None
    sessions_ended: int = 0


class UnverifiedAccount(Refusal):
    code = "email_not_verified"

    def __init__(self, email: str) -> None:
        super().__init__(
            f"{email} has an account whose owner never confirmed the address: it is not"
            " promoted (whoever typed the address first could be anyone). Its owner can"
            " confirm it (POST /v1/users/verify-email/resend) or take it over with a"
            " password reset; then run this again."
        )


async def create_admin(
    services: Services, email: str, password: str, name: str = "Administrator"
) -> AdminOutcome:
    """Creates an operator's account (verified: the operator vouches for the address), or
    promotes a verified account: either way with the password given, and an account promoted
    (or already an admin) loses every session it had, so no token issued before acts as an
    admin. Raises UnverifiedAccount rather than promote an address nobody proved. Signup
    never makes an admin."""
    email = email.strip().lower()
    password_hash = await asyncio.to_thread(hash_password, password)
    async with services.unit_of_work() as uow:
        account = await users.account_of(uow.conn, email)
        step = admin_step(account)
        if step is AdminStep.REFUSE_UNVERIFIED:
            raise UnverifiedAccount(email)
        if account is None:
            user_id = uuid.uuid4()
            if not await users.insert_admin(uow.conn, user_id, name, email, password_hash):
                raise Refusal(f"{email} was registered meanwhile: run this again")
            return AdminOutcome(step, user_id)
        if not await users.promote(uow.conn, account.user_id, password_hash):
            raise UnverifiedAccount(email)
        ended = await sessions.revoke_all(uow.conn, account.user_id, "made an admin")
        return AdminOutcome(step, account.user_id, ended)
