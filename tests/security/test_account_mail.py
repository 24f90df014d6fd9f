"""Proving an address by mail, from outside: the storefront in-process, the account mail
carried by CDC to the stack's orders worker and caught by the local mail sink, read as the
address's owner reads it. Signup tells nobody who has an account; the owner of an address
a stranger registered takes it back; every token works once, expires, and is stored only as
a digest; a password reset ends every session."""

import hashlib
import uuid
from collections.abc import Callable
from email.message import Message

import httpx
import pytest

from adapters.connections import Clients
from harness.factories import sql
from harness.flows import assert_refused
from ops.mailsink import token_in
from ops.polling import until

pytestmark = pytest.mark.engines

PASSWORD = "correct horse battery staple"
MAILED_WITHIN = 15.0
Mailbox = Callable[[str], list[Message]]


def new_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@test.shopstream.dev"


async def signup(api: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    body = {"name": "Ada", "email": email, "password": password}
    return await api.post("/v1/users/signup", json=body)


async def login(api: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await api.post("/v1/users/login", json={"email": email, "password": password})


async def mail(mailbox: Mailbox, email: str, subject: str, count: int = 1) -> Message:
    """The ``count``-th mail with ``subject`` the address received (waiting for it)."""

    async def received() -> list[Message]:
        return [m for m in mailbox(email) if m["Subject"] == subject]

    found, _ = await until(
        received,
        timeout=MAILED_WITHIN,
        what=f"{subject!r} to {email}",
        accept=lambda seen: len(seen) >= count,
    )
    return found[count - 1]


async def test_signing_up_confirming_and_signing_in(
    api: httpx.AsyncClient, clients: Clients, mailbox: Mailbox
) -> None:
    email = new_email("verify")
    assert (await signup(api, email)).status_code == 202
    assert_refused(await login(api, email), 403, "email_not_verified")

    token = token_in(await mail(mailbox, email, "Confirm your email address"))
    confirmed = await api.post("/v1/users/verify-email", json={"token": token})

    assert (confirmed.status_code, confirmed.json()) == (200, {"status": "verified"})
    assert (await login(api, email)).status_code == 200
    again = await api.post("/v1/users/verify-email", json={"token": token})
    assert_refused(again, 400, "invalid_token")
    [row] = await sql(
        clients,
        "SELECT count(*) FILTER (WHERE digest = %s) AS digest,"
        " count(*) FILTER (WHERE digest = %s) AS clear FROM account_tokens",
        hashlib.sha256(token.encode()).digest(),
        token.encode(),
    )
    assert (row["digest"], row["clear"]) == (1, 0)


async def test_the_owner_takes_back_an_address_a_stranger_registered(
    api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    """The stranger's signup and the owner's get the same answer; the owner is mailed a reset
    link, and after it only the owner's password works."""
    email = new_email("squatted")
    strangers = await signup(api, email, "the stranger's password")
    owners = await signup(api, email, "the owner's own password")
    assert (strangers.status_code, strangers.content) == (owners.status_code, owners.content)

    offer = await mail(mailbox, email, "Someone tried to sign up with your address")
    reset = {"token": token_in(offer), "newPassword": "the owner's new password"}
    done = await api.post("/v1/users/password-reset/confirm", json=reset)

    assert (done.status_code, done.json()) == (200, {"status": "password_reset"})
    assert (await login(api, email, "the owner's new password")).status_code == 200
    assert_refused(await login(api, email, "the stranger's password"), 401, "invalid_credentials")
    await mail(mailbox, email, "Your password was changed")


async def test_a_password_reset_ends_every_session_and_works_once(
    api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    email = new_email("reset")
    await signup(api, email)
    token = token_in(await mail(mailbox, email, "Confirm your email address"))
    await api.post("/v1/users/verify-email", json={"token": token})
    session = (await login(api, email)).json()
    unknown = await api.post("/v1/users/password-reset", json={"email": new_email("nobody")})
    asked = await api.post("/v1/users/password-reset", json={"email": email})
    assert (asked.status_code, asked.content) == (unknown.status_code, unknown.content)

    link = token_in(await mail(mailbox, email, "Reset your password"))
    reset = {"token": link, "newPassword": "a brand new passphrase"}
    assert (await api.post("/v1/users/password-reset/confirm", json=reset)).status_code == 200

    bearer = {"Authorization": f"Bearer {session['accessToken']}"}
    assert_refused(await api.get("/v1/users/me", headers=bearer), 401, "unauthorized")
    refreshed = await api.post("/v1/users/refresh", json={"refreshToken": session["refreshToken"]})
    assert_refused(refreshed, 401, "unauthorized")
    replayed = await api.post("/v1/users/password-reset/confirm", json=reset)
    assert_refused(replayed, 400, "invalid_token")
    assert (await login(api, email, "a brand new passphrase")).status_code == 200


async def test_an_expired_link_is_refused(
    api: httpx.AsyncClient, clients: Clients, mailbox: Mailbox
) -> None:
    email = new_email("expired")
    await signup(api, email)
    token = token_in(await mail(mailbox, email, "Confirm your email address"))
    await sql(
        clients,
        "UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE digest = %s",
        hashlib.sha256(token.encode()).digest(),
    )
    expired = await api.post("/v1/users/verify-email", json={"token": token})
    assert_refused(expired, 400, "invalid_token")
    assert "expired" in expired.json()["error"]["message"]


async def test_a_stranger_cannot_flood_an_inbox(
    api: httpx.AsyncClient, clients: Clients, mailbox: Mailbox
) -> None:
    """Asking again and again within the mail interval sends one mail, whose link stays the
    live one."""
    email = new_email("flood")
    await signup(api, email)
    for _ in range(5):
        await signup(api, email, "someone else")
        await api.post("/v1/users/verify-email/resend", json={"email": email})
    first = await mail(mailbox, email, "Confirm your email address")
    await mail(mailbox, email, "Someone tried to sign up with your address")
    [row] = await sql(
        clients,
        "SELECT count(*) AS n FROM account_mail m JOIN users u USING (user_id) WHERE u.email = %s",
        email,
    )
    assert row["n"] == 2
    confirmed = await api.post("/v1/users/verify-email", json={"token": token_in(first)})
    assert confirmed.status_code == 200


@pytest.mark.parametrize(
    "token", ["", "x" * 201, "a" * 42 + "\x00", "é" * 43, '{"$ne": null}', "a" * 43]
)
async def test_hostile_tokens_are_a_json_4xx(api: httpx.AsyncClient, token: str) -> None:
    for path, body in (
        ("/v1/users/verify-email", {"token": token}),
        ("/v1/users/password-reset/confirm", {"token": token, "newPassword": "long enough 1"}),
    ):
        answer = await api.post(path, json=body)
        assert answer.status_code in (400, 422), answer.text
        assert answer.json()["error"]["code"] in ("invalid_token", "invalid_request")
