"""Proving an address: signup, confirming the address, and resetting a forgotten password, all
by tokens mailed to it (OWASP ASVS V2.1, V2.5).

Signup answers the same whether the address is new or has an account, and mails the outcome
to the address: a confirmation link, or (the address is taken) a password-reset link, so the
owner of an address registered by someone else can take it over and nobody else learns who
has an account. Every token is single-use and expiring, stored as a digest, and mailed by the
orders worker from an outbox row written in the same transaction (``services.account_mail``).
A password reset proves the address too, and ends every session of the account.
"""

import logging
import uuid

from adapters import sessions, users
from adapters.passwords import PasswordHashing
from config import Settings
from domain.accounts import (
    TOKEN_OF_MAIL,
    InvalidAccountToken,
    MailKind,
    TokenPurpose,
    account_token,
    plausible_token,
    token_digest,
)
from services.context import Services, UnitOfWork

log = logging.getLogger(__name__)


async def sign_up(
    services: Services, hashing: PasswordHashing, name: str, email: str, password: str
) -> None:
    """A customer account awaiting confirmation, or, for an address that has one, a mail
    offering its owner a new password. The password is hashed either way: both answers
    take the same time."""
    password_hash = await hashing.hash(password)
    async with services.unit_of_work() as uow:
        user_id = uuid.uuid4()
        if await users.insert_user(uow.conn, user_id, name, email, password_hash):
            await _mail_with_token(services, uow, user_id, MailKind.VERIFY_EMAIL)
            return
        account = await users.account_of(uow.conn, email)
        if account is not None:
            await _mail_with_token(services, uow, account.user_id, MailKind.ACCOUNT_EXISTS)


async def resend_verification(services: Services, email: str) -> None:
    """A new confirmation mail for an unconfirmed account; nothing for any other address."""
    async with services.unit_of_work() as uow:
        account = await users.account_of(uow.conn, email)
        if account is not None and account.verified_at is None:
            await _mail_with_token(services, uow, account.user_id, MailKind.VERIFY_EMAIL)


async def verify_email(services: Services, token: str) -> None:
    """Raises InvalidAccountToken for a token that is not live (unknown, spent, expired)."""
    async with services.unit_of_work() as uow:
        user_id = await _spend(uow, token, TokenPurpose.VERIFY_EMAIL)
        await users.mark_verified(uow.conn, user_id)
    log.info("address confirmed", extra={"user_id": str(user_id)})


async def request_password_reset(services: Services, email: str) -> None:
    """A reset mail to the address if it has an account; the caller learns nothing."""
    async with services.unit_of_work() as uow:
        account = await users.account_of(uow.conn, email)
        if account is not None:
            await _mail_with_token(services, uow, account.user_id, MailKind.RESET_PASSWORD)


async def reset_password(
    services: Services, hashing: PasswordHashing, token: str, new_password: str
) -> None:
    """The new password, the address proven, every session ended, and a notice mailed.
    Raises InvalidAccountToken for a token that is not live."""
    if not plausible_token(token):
        raise InvalidAccountToken
    new_hash = await hashing.hash(new_password)
    async with services.unit_of_work() as uow:
        user_id = await _spend(uow, token, TokenPurpose.RESET_PASSWORD)
        await users.set_password(uow.conn, user_id, new_hash)
        await sessions.revoke_all(uow.conn, user_id, "password reset")
        await users.mark_verified(uow.conn, user_id)
        await uow.account_mail.queue(user_id, MailKind.PASSWORD_CHANGED)
    log.info("password reset by mail", extra={"user_id": str(user_id)})


async def _spend(uow: UnitOfWork, token: str, purpose: TokenPurpose) -> uuid.UUID:
    if not plausible_token(token):
        raise InvalidAccountToken
    user_id = await uow.account_tokens.spend(token_digest(token), purpose)
    if user_id is None:
        raise InvalidAccountToken
    return user_id


async def _mail_with_token(
    services: Services, uow: UnitOfWork, user_id: uuid.UUID, kind: MailKind
) -> None:
    """A new token and its mail, unless a mail of this kind went to the account moments ago
    (then the earlier link stays the live one)."""
    settings = services.settings
    if await uow.account_mail.sent_recently(user_id, kind, settings.account_mail_interval_seconds):
        return
    purpose = TOKEN_OF_MAIL[kind]
    token_id = uuid.uuid4()
    token = account_token(settings.account_token_key, token_id)
    ttl = token_ttl_seconds(settings, purpose)
    await uow.account_tokens.issue(user_id, purpose, token_digest(token), token_id, ttl)
    await uow.account_mail.queue(user_id, kind, token_id)


def token_ttl_seconds(settings: Settings, purpose: TokenPurpose) -> int:
    if purpose is TokenPurpose.VERIFY_EMAIL:
        return settings.email_verification_ttl_seconds
    return settings.password_reset_ttl_seconds
