"""Signup, login (argon2 + JWT), profile, addresses and token checks, on real Postgres."""

import asyncio
import uuid

import httpx
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from adapters.connections import Clients
from adapters.tokens import TokenKeys, new_signing_key
from config import Settings
from domain.accounts import AdminStep
from harness.factories import Shopper, confirm_address, sql
from harness.flows import assert_refused
from ops.cli import app as shopctl
from services.accounts import create_admin
from services.context import Services

PASSWORD = "correct horse battery"


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@test.shopstream.dev"


async def signup(api: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await api.post(
        "/v1/users/signup", json={"name": "Ada Lovelace", "email": email, "password": password}
    )


async def login(api: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await api.post("/v1/users/login", json={"email": email, "password": password})


async def test_signup_login_and_me(api: httpx.AsyncClient, clients: Clients) -> None:
    email = new_email()
    created = await signup(api, email.upper())
    assert (created.status_code, created.json()["status"]) == (202, "mail_sent")
    assert_refused(await login(api, email), 403, "email_not_verified")
    await confirm_address(clients, email)

    logged_in = await login(api, email)
    assert logged_in.status_code == 200
    token = logged_in.json()
    assert token["tokenType"] == "bearer" and token["expiresIn"] > 0

    me = await api.get("/v1/users/me", headers={"Authorization": f"Bearer {token['accessToken']}"})
    assert me.status_code == 200
    assert me.json()["email"] == email
    assert me.json()["role"] == "customer"
    assert me.json()["addresses"] == []


async def test_a_taken_address_gets_the_same_answer(api: httpx.AsyncClient) -> None:
    """Signup tells nobody who has an account: the answer to a taken address is the new
    address's, byte for byte (the owner is mailed instead)."""
    email = new_email()
    first = await signup(api, email)
    again = await signup(api, email, "another password entirely")
    fresh = await signup(api, new_email())
    assert {(r.status_code, r.content) for r in (first, again, fresh)} == {(202, first.content)}


async def test_password_is_stored_as_argon2id(api: httpx.AsyncClient, clients: Clients) -> None:
    email = new_email()
    await signup(api, email)
    [row] = await sql(clients, "SELECT password_hash FROM users WHERE email = %s", email)
    stored = row["password_hash"]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


async def test_wrong_password_is_401(api: httpx.AsyncClient) -> None:
    email = new_email()
    await signup(api, email)
    response = await login(api, email, PASSWORD + "!")
    assert_refused(response, 401, "invalid_credentials")


async def test_unknown_email_is_the_same_401(api: httpx.AsyncClient) -> None:
    response = await login(api, new_email())
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "invalid_credentials",
        "message": "wrong email or password",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"name": "A", "email": "not-an-email", "password": PASSWORD},
        {"name": "A", "email": "a@b.dev", "password": "short"},
        {"name": "", "email": "a@b.dev", "password": PASSWORD},
        {"email": "a@b.dev", "password": PASSWORD},
        {"name": "A", "email": "a@b.dev", "password": PASSWORD, "role": "admin"},
    ],
)
async def test_bad_signups_are_422(api: httpx.AsyncClient, body: dict) -> None:
    response = await api.post("/v1/users/signup", json=body)
    assert_refused(response, 422, "invalid_request")


async def test_addresses_get_ids_and_are_listed(api: httpx.AsyncClient, shopper: Shopper) -> None:
    address = {
        "label": "home",
        "recipient": "Ada Lovelace",
        "line1": "12 St James's Square",
        "city": "London",
        "postalCode": "SW1Y 4JH",
        "country": "GB",
    }
    created = await api.post("/v1/users/me/addresses", json=address, headers=shopper.headers)
    assert created.status_code == 201
    stored = created.json()
    assert uuid.UUID(stored["addressId"])
    assert {k: stored[k] for k in address} == address

    listed = await api.get("/v1/users/me/addresses", headers=shopper.headers)
    assert listed.json() == [stored]


@pytest.mark.parametrize(
    "address",
    [
        {"recipient": "A", "line1": "x", "city": "y", "postalCode": "1", "country": "gb"},
        {"recipient": "A", "line1": "x", "city": "y", "country": "GB"},
    ],
)
async def test_bad_addresses_are_422(
    api: httpx.AsyncClient, shopper: Shopper, address: dict
) -> None:
    response = await api.post("/v1/users/me/addresses", json=address, headers=shopper.headers)
    assert response.status_code == 422


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    return f"{header}.{payload}.{signature[:-4]}AAAA"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not.a.jwt",
    ],
)
async def test_missing_or_malformed_token_is_401(
    api: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await api.get("/v1/users/me", headers=headers)
    assert_refused(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"access_token_ttl_seconds": -30}, "token expired"),
        ({"jwt_signing_key": SecretStr(new_signing_key())}, "invalid token"),
        ({"jwt_issuer": "another-issuer"}, "invalid token"),
    ],
)
async def test_expired_forged_or_foreign_tokens_are_401(
    api: httpx.AsyncClient, app_settings: Settings, shopper: Shopper, change: dict, message: str
) -> None:
    signer = app_settings.model_copy(update=change)
    token = TokenKeys.from_settings(signer).issue(signer, shopper.user_id, shopper.session_id, 1)
    response = await api.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == message


async def test_tampered_token_is_401(api: httpx.AsyncClient, shopper: Shopper) -> None:
    headers = {"Authorization": f"Bearer {_tampered(shopper.token)}"}
    response = await api.get("/v1/users/me", headers=headers)
    assert response.status_code == 401


async def test_create_admin_makes_an_admin_who_can_log_in(
    api: httpx.AsyncClient, services: Services
) -> None:
    email = new_email()
    cli = await asyncio.to_thread(
        CliRunner().invoke, shopctl, ["create-admin", "--email", email, "--password", PASSWORD]
    )
    assert cli.exit_code == 0, cli.output
    said = " ".join(cli.output.split())
    assert said.startswith(f"created the admin account {email} ("), said
    again = await create_admin(services, email, PASSWORD + "2")
    assert again.step == AdminStep.ALREADY_ADMIN

    response = await login(api, email, PASSWORD + "2")
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['accessToken']}"}
    assert (await api.get("/v1/users/me", headers=headers)).json()["role"] == "admin"


async def test_create_admin_refuses_an_unconfirmed_address_and_says_so(
    api: httpx.AsyncClient, clients: Clients
) -> None:
    email = new_email()
    await signup(api, email)
    cli = await asyncio.to_thread(
        CliRunner().invoke,
        shopctl,
        ["create-admin", "--email", email, "--password", "the operator's passphrase"],
    )
    assert cli.exit_code == 1
    said = " ".join(cli.output.split())  # the console wraps long lines
    assert "never confirmed the address: it is not promoted" in said, said
    [row] = await sql(clients, "SELECT role FROM users WHERE email = %s", email)
    assert row["role"] == "customer"
