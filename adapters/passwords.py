"""Argon2id password hashing with OWASP's parameters, at a bounded pace.

Parameters: the OWASP Password Storage Cheat Sheet's first Argon2id configuration, 19 MiB of
memory, 2 iterations, 1 lane: an order of magnitude cheaper than argon2-cffi's defaults, which
a login storm could not afford (timings in docs/PERFORMANCE.md). Hashes made with other
parameters still verify and are upgraded at the next successful login (``needs_rehash``).

Hashing is CPU work by design, so it runs in worker threads, at most
``SHOP_PASSWORD_HASH_CONCURRENCY`` at a time per API process; callers beyond
``SHOP_PASSWORD_HASH_QUEUE`` waiting are turned away at once (``HashingBusy``), so a storm of
logins or signups cannot take the cores checkout needs.
"""

import asyncio
from collections.abc import Callable
from functools import cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
R = TypeVar("R")


class HashingBusy(RuntimeError):
    """Too many password hashes are waiting: try again in a moment."""


class PasswordHashing:
    """The API process's bounded access to the hasher."""

    def __init__(self, concurrency: int, queue: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._queue = queue
        self._waiting = 0

    async def _run(self, work: Callable[..., R], *args: object) -> R:
        if self._waiting >= self._queue:
            raise HashingBusy
        self._waiting += 1
        try:
            async with self._slots:
                return await asyncio.to_thread(work, *args)
        finally:
            self._waiting -= 1

    async def hash(self, password: str) -> str:
        return await self._run(_hasher.hash, password)

    async def matches(self, password_hash: str | None, password: str) -> bool:
        """``None`` (no such account) still costs one verification with the same
        parameters, so a login for an unknown email takes as long as a wrong password."""
        return await self._run(_matches, password_hash, password)


def hash_password(password: str) -> str:
    """For tools outside the API (``shopctl create-admin``)."""
    return _hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _matches(password_hash: str | None, password: str) -> bool:
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
