"""Accounts proving their address, and the mail that proves it, as pure code.

A token mailed to an account holder is ``HMAC-SHA256(key, token id)``: the storefront that
issues it and the worker that mails it derive it from the token id with a key only they hold,
and the database keeps only its SHA-256 digest. So the token never travels through Kafka or
sits in a table, and a copy of the database mints nothing.
"""

import base64
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import Forbidden, InvalidRequest


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"


class MailKind(StrEnum):
    VERIFY_EMAIL = "verify_email"
    """Signed up (or asked again): confirm the address."""
    ACCOUNT_EXISTS = "account_exists"
    """Someone signed up with an address that has an account: a reset link, in case it was
    the owner (who may have forgotten, or find the address registered by someone else)."""
    RESET_PASSWORD = "reset_password"
    PASSWORD_CHANGED = "password_changed"
    """The password was changed or reset: every session ended."""


TOKEN_OF_MAIL = {
    MailKind.VERIFY_EMAIL: TokenPurpose.VERIFY_EMAIL,
    MailKind.ACCOUNT_EXISTS: TokenPurpose.RESET_PASSWORD,
    MailKind.RESET_PASSWORD: TokenPurpose.RESET_PASSWORD,
}
"""The token each kind of mail carries (a password-changed notice carries none)."""

_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def account_token(key: str, token_id: uuid.UUID | str) -> str:
    """The token with this id, as the mail carries it (base64url, no padding)."""
    mac = hmac.new(key.encode(), str(token_id).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def token_digest(token: str) -> bytes:
    """What the database keeps of a token, and looks a presented one up by."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def plausible_token(token: str) -> bool:
    """The shape ``account_token`` makes: anything else is refused without a lookup."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


@dataclass(frozen=True)
class AccountMail:
    """One mail to an account holder, as its change record names it."""

    mail_id: str
    user_id: str
    kind: MailKind
    token_id: str | None = None


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str


def mail_text(
    kind: MailKind, name: str, token: str | None, public_url: str, token_ttl_minutes: int
) -> MailText:
    """What the account holder reads. Links carry the token in the fragment, which browsers
    never send to a server (no token in access logs or Referer headers)."""
    hello = f"Hello {name},\n\n"
    if kind is MailKind.PASSWORD_CHANGED:
        return MailText(
            "Your password was changed",
            hello + "The password of your shopstream account was just changed, and every "
            "device signed in to it was signed out. If you did not do this, reset your "
            f"password at once: {public_url}/account/forgot-password\n",
        )
    assert token is not None, f"{kind} mail carries a token"
    if kind is MailKind.VERIFY_EMAIL:
        return MailText(
            "Confirm your email address",
            hello + "Confirm this address to finish signing up: "
            f"{public_url}/account/verify-email#token={token}\n\n"
            f'(Or send the code yourself: POST /v1/users/verify-email {{"token": "{token}"}})\n'
            f"The link works once, within {token_ttl_minutes} minutes. If you did not sign "
            "up, ignore this mail: nothing happens without it.\n",
        )
    reset = (
        f"{public_url}/account/reset-password#token={token}\n\n"
        f"(Or send the code yourself: POST /v1/users/password-reset/confirm "
        f'{{"token": "{token}", "newPassword": "..."}})\n'
        f"The link works once, within {token_ttl_minutes} minutes, and signs every device "
        "out."
    )
    if kind is MailKind.ACCOUNT_EXISTS:
        return MailText(
            "Someone tried to sign up with your address",
            hello + "Someone (maybe you) tried to create an account with this address, "
            "which already has one. Nothing was changed. If it was you, sign in, or set a "
            f"new password here: {reset}\nIf it was not you, ignore this mail.\n",
        )
    return MailText(
        "Reset your password",
        hello + f"Set a new password for your account: {reset}\nIf you did not ask for "
        "this, ignore this mail: your password stays as it is.\n",
    )


class EmailNotVerified(Forbidden):
    code = "email_not_verified"

    def __init__(self) -> None:
        super().__init__(
            "confirm your email address first: follow the link we mailed you"
            " (POST /v1/users/verify-email/resend sends it again)"
        )


class InvalidAccountToken(InvalidRequest):
    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__("this link is invalid, used or expired: ask for a new one")


@dataclass(frozen=True)
class ExistingAccount:
    user_id: uuid.UUID
    role: str
    verified_at: datetime | None


class AdminStep(StrEnum):
    CREATE = "create"
    PROMOTE = "promote"
    ALREADY_ADMIN = "already_admin"
    REFUSE_UNVERIFIED = "refuse_unverified"


def admin_step(account: ExistingAccount | None) -> AdminStep:
    """What ``shopctl create-admin`` may do for an address: create the account (the operator
    vouches for it), promote a verified one, or refuse one whose owner never proved the
    address (whoever typed it first could be anyone)."""
    if account is None:
        return AdminStep.CREATE
    if account.verified_at is None:
        return AdminStep.REFUSE_UNVERIFIED
    return AdminStep.ALREADY_ADMIN if account.role == "admin" else AdminStep.PROMOTE
