"""Argon2id password hashing. CPU-bound by design: async callers run it in a worker thread."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """``None`` (no such account) still costs one verification, so a login for an unknown
    email takes as long as a wrong password and does not reveal who has an account."""
    if password_hash is None:
        _verify(_unknown_account_hash(), password)
        return False
    return _verify(password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _unknown_account_hash() -> str:
    return _hasher.hash("placeholder for accounts that do not exist")
