"""Login cannot be used to guess passwords, to lock an owner out, or to burn the CPU: lockouts
that grow per (account, address) and per address, never per account alone; bounded hashing,
OWASP's Argon2id parameters, equal timing for unknown accounts. Each test signs in from
addresses of its own (the in-process app's client IP)."""

import asyncio
import random
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import httpx
import pytest

from adapters.connections import Clients
from config import Settings
from harness.factories import confirm_address, sql
from harness.flows import assert_refused
from harness.inprocess import in_process_api
from ops.polling import until

pytestmark = pytest.mark.engines

PASSWORD = "correct horse battery staple"


def new_address() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


@asynccontextmanager
async def storefront(settings: Settings, **change: object) -> AsyncIterator[httpx.AsyncClient]:
    """The app seen from an address no other test uses."""
    changed = settings.model_copy(update=change)
    async with in_process_api(changed, client_ip=new_address()) as (_, api):
        yield api


async def new_account(api: httpx.AsyncClient, clients: Clients) -> str:
    """Signed up, its address confirmed (as the mailed link does)."""
    email = f"thr-{uuid.uuid4().hex[:12]}@test.shopstream.dev"
    body = {"name": "Thr", "email": email, "password": PASSWORD}
    assert (await api.post("/v1/users/signup", json=body)).status_code == 202
    await confirm_address(clients, email)
    return email


async def login(api: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await api.post("/v1/users/login", json={"email": email, "password": password})


async def test_failures_lock_the_guessing_address_out_of_that_account_for_growing_times(
    app_settings: Settings,
    clients: Clients,
) -> None:
    async with storefront(app_settings) as api:
        email = await new_account(api, clients)
        for _ in range(app_settings.login_free_failures):
            assert_refused(await login(api, email, "wrong guess!"), 401, "invalid_credentials")
        assert_refused(await login(api, email, "wrong guess!"), 401, "invalid_credentials")
        locked = await login(api, email)  # even the right password waits out the lockout
        assert_refused(locked, 429, "login_locked")
        assert 1 <= int(locked.headers["Retry-After"]) <= app_settings.login_max_lockout_seconds
        answer, _ = await until(
            partial(login, api, email),
            timeout=5,
            what="the first lockout (a second) over",
            accept=lambda answer: answer.status_code != 429,
            interval=0.2,
        )
        assert answer.status_code == 200, "the right password after the lockout"


async def test_nobody_else_can_lock_the_owner_out(app_settings: Settings, clients: Clients) -> None:
    """Strangers fail the owner's password, many times from many addresses and many times
    from one: the owner, from an address that has not been failing, signs in at once."""
    async with storefront(app_settings) as owner:
        email = await new_account(owner, clients)
        for _ in range(3):
            async with storefront(app_settings) as stranger:
                for _ in range(app_settings.login_free_failures + 4):
                    await login(stranger, email, "not the password")
                assert_refused(await login(stranger, email, "still not"), 429, "login_locked")
        answer = await login(owner, email)
        assert answer.status_code == 200, answer.text


async def test_unknown_accounts_are_counted_like_known_ones(
    app_settings: Settings, clients: Clients
) -> None:
    async with storefront(app_settings) as api:
        ghost = f"ghost-{uuid.uuid4().hex[:8]}@test.shopstream.dev"
        for _ in range(app_settings.login_free_failures + 1):
            assert_refused(await login(api, ghost, "guess"), 401, "invalid_credentials")
        assert_refused(await login(api, ghost, "guess"), 429, "login_locked")


async def test_one_address_guessing_many_accounts_is_locked(
    app_settings: Settings, clients: Clients
) -> None:
    async with storefront(app_settings, login_free_failures=2) as api:
        email = await new_account(api, clients)
        for i in range(2 * 10 + 1):  # ten times an account's allowance, spread over accounts
            await login(api, f"spray-{i}-{uuid.uuid4().hex[:6]}@test.shopstream.dev", "x")
        assert_refused(await login(api, email), 429, "login_locked")
    async with storefront(app_settings) as elsewhere:  # the account itself is not locked
        assert (await login(elsewhere, email)).status_code == 200


async def test_unknown_emails_take_as_long_as_wrong_passwords(
    app_settings: Settings, clients: Clients
) -> None:
    async with storefront(app_settings, login_free_failures=100) as api:
        known = [await new_account(api, clients) for _ in range(6)]

        async def seconds(email: str) -> float:
            started = time.perf_counter()
            assert (await login(api, email, "wrong password")).status_code == 401
            return time.perf_counter() - started

        wrong = [await seconds(email) for email in known * 2]
        unknown = [await seconds(f"nobody-{uuid.uuid4().hex}@x.dev") for _ in range(12)]
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.6 < ratio < 1.6, (statistics.median(unknown), statistics.median(wrong))


async def test_passwords_are_hashed_with_owasp_argon2id_parameters(
    app_settings: Settings, clients: Clients
) -> None:
    async with storefront(app_settings) as api:
        email = await new_account(api, clients)
    [row] = await sql(clients, "SELECT password_hash FROM users WHERE email = %s", email)
    assert row["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")


async def test_a_login_storm_is_turned_away_not_queued(
    app_settings: Settings, clients: Clients
) -> None:
    """One hash at a time and nobody waiting: of a burst, the excess is a 503 with
    Retry-After at once, so the cores stay free for everything else."""
    async with storefront(app_settings) as signup_api:
        email = await new_account(signup_api, clients)
    async with storefront(app_settings, password_hash_queue=1) as api:
        answers = await asyncio.gather(*(login(api, email) for _ in range(8)))
    statuses = sorted(a.status_code for a in answers)
    assert 200 in statuses and 503 in statuses, statuses
    busy = next(a for a in answers if a.status_code == 503)
    assert_refused(busy, 503, "busy")
    assert busy.headers["Retry-After"] == "1"


async def test_an_old_hash_is_upgraded_at_the_next_login(
    app_settings: Settings, clients: Clients
) -> None:
    from argon2 import PasswordHasher

    async with storefront(app_settings) as api:
        email = await new_account(api, clients)
        legacy = PasswordHasher().hash(PASSWORD)  # argon2-cffi's defaults, as before
        await sql(clients, "UPDATE users SET password_hash = %s WHERE email = %s", legacy, email)
        assert (await login(api, email)).status_code == 200
    [row] = await sql(clients, "SELECT password_hash FROM users WHERE email = %s", email)
    assert row["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
