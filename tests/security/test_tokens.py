"""Tokens nobody can forge, and a lifecycle that ends them: keys, refresh, logout, password
change, role changes, on the real engines through the in-process API."""

import base64
import hashlib
import time
import uuid

import httpx
import jwt
import pytest
from pydantic import SecretStr

from adapters.connections import Clients
from adapters.tokens import TokenKeys, public_key_text
from api.app import SecretMissing, create_app
from config import Settings, secrets_file
from domain.accounts import AdminStep
from harness.factories import Shopper, confirm_address, create_shopper, sql
from harness.flows import assert_refused
from ops.secrets import ensure_secrets, read_secrets, rotate_jwt_key
from services.accounts import UnverifiedAccount, create_admin
from services.context import Services

pytestmark = pytest.mark.engines

PASSWORD = "correct horse battery staple"
OLD_DEFAULT_SECRET = "change-me-in-production-32-bytes-min"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def account(api: httpx.AsyncClient, clients: Clients) -> tuple[str, dict]:
    """A new account signed up, its address confirmed, and signed in: (email, tokens)."""
    email = f"tok-{uuid.uuid4().hex[:12]}@test.shopstream.dev"
    body = {"name": "Tess", "email": email, "password": PASSWORD}
    assert (await api.post("/v1/users/signup", json=body)).status_code == 202
    await confirm_address(clients, email)
    signed_in = await api.post("/v1/users/login", json={"email": email, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    return email, signed_in.json()


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


async def me(api: httpx.AsyncClient, tokens: dict) -> httpx.Response:
    return await api.get("/v1/users/me", headers=bearer(tokens))


async def refresh(api: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await api.post("/v1/users/refresh", json={"refreshToken": refresh_token})


# keys


@pytest.mark.parametrize(
    "key",
    [None, OLD_DEFAULT_SECRET, b64(bytes(32)), b64(b"a" * 32), b64(bytes(range(16))), "%%%"],
    ids=["missing", "old-default", "zeros", "repeated", "short", "not-base64"],
)
def test_the_api_refuses_to_start_without_a_sound_key(app_settings: Settings, key: str | None):
    weak = app_settings.model_copy(update={"jwt_signing_key": key and SecretStr(key)})
    with pytest.raises(SecretMissing):
        create_app(weak)


def forged(claims: dict, key: object, algorithm: str, headers: dict | None = None) -> str:
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)  # type: ignore[arg-type]


async def test_forged_admin_tokens_are_refused(
    api: httpx.AsyncClient, app_settings: Settings, shopper: Shopper
) -> None:
    """HS256 with the old default key, ``alg: none``, and HS256 keyed with our public key
    (algorithm confusion): none passes an admin route."""
    now = int(time.time())
    claims = {
        "sub": str(shopper.user_id),
        "sid": str(shopper.session_id),
        "ver": 1,
        "role": "admin",
        "iss": app_settings.jwt_issuer,
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    keys = TokenKeys.from_settings(app_settings)
    public = public_key_text(app_settings.jwt_signing_key.get_secret_value())
    attempts = [
        forged(claims, OLD_DEFAULT_SECRET, "HS256"),
        forged(claims, OLD_DEFAULT_SECRET, "HS256", {"kid": keys.signing_kid}),
        forged(claims, public, "HS256", {"kid": keys.signing_kid}),
        forged(claims, None, "none", {"kid": keys.signing_kid}),
    ]
    listing = {"productId": "prod_forged", "title": "x", "category": "x", "brand": "x", "price": 1}
    for token in attempts:
        headers = {"Authorization": f"Bearer {token}"}
        response = await api.post("/v1/admin/products", json=listing, headers=headers)
        assert_refused(response, 401, "unauthorized")


def test_make_up_generates_the_secrets_once_and_privately(tmp_path, app_settings: Settings):
    local = app_settings.model_copy(update={"stack_dir": tmp_path})
    assert ensure_secrets(local) == [
        "SHOP_JWT_SIGNING_KEY",
        "SHOP_GATEWAY_SECRET",
        "SHOP_CARRIER_WEBHOOK_SECRET",
        "SHOP_ACCOUNT_TOKEN_SECRET",
        "SHOP_OBJECTSTORE_SECRET_KEY",
        "SHOP_KAFKA_BROKER_PASSWORD",
        "SHOP_KAFKA_ADMIN_PASSWORD",
        "SHOP_KAFKA_CONNECT_PASSWORD",
        "SHOP_KAFKA_ORDERS_PASSWORD",
        "SHOP_KAFKA_CATALOG_PASSWORD",
        "SHOP_KAFKA_OPS_PASSWORD",
        "SHOP_DASHBOARD_PASSWORD",
    ]
    first = read_secrets(secrets_file(tmp_path))
    assert ensure_secrets(local) == [] and read_secrets(secrets_file(tmp_path)) == first
    assert secrets_file(tmp_path).stat().st_mode & 0o777 == 0o600
    signing = SecretStr(first["SHOP_JWT_SIGNING_KEY"])
    TokenKeys.from_settings(local.model_copy(update={"jwt_signing_key": signing}))


def test_a_rotated_key_keeps_its_tokens_valid_until_they_expire(tmp_path, app_settings: Settings):
    local = app_settings.model_copy(update={"stack_dir": tmp_path})
    ensure_secrets(local)

    def loaded() -> tuple[Settings, TokenKeys]:
        values = read_secrets(secrets_file(tmp_path))
        configured = local.model_copy(
            update={
                "jwt_signing_key": SecretStr(values["SHOP_JWT_SIGNING_KEY"]),
                "jwt_retired_keys": values.get("SHOP_JWT_RETIRED_KEYS", ""),
            }
        )
        return configured, TokenKeys.from_settings(configured)

    before, old_keys = loaded()
    user, session = uuid.uuid4(), uuid.uuid4()
    old_token = old_keys.issue(before, user, session, 1)
    rotate_jwt_key(local)
    after, new_keys = loaded()
    assert new_keys.signing_kid != old_keys.signing_kid
    assert new_keys.verify(after, old_token).user_id == user
    new_token = new_keys.issue(after, user, session, 1)
    assert jwt.get_unverified_header(new_token)["kid"] == new_keys.signing_kid
    with pytest.raises(jwt.InvalidTokenError):  # a retired key's holder can no longer sign
        old_keys.verify(before, new_token)


def test_a_remembered_token_still_expires(app_settings: Settings, monkeypatch) -> None:
    """Verification is remembered per process, expiry is checked on every use."""
    keys = TokenKeys.from_settings(app_settings)
    token = keys.issue(app_settings, uuid.uuid4(), uuid.uuid4(), 1)
    claims = keys.verify(app_settings, token)
    assert keys.verify(app_settings, token) is claims, "the second check is remembered"
    later = claims.expires_at + 1
    monkeypatch.setattr("adapters.tokens.time.time", lambda: later)
    with pytest.raises(jwt.ExpiredSignatureError):
        keys.verify(app_settings, token)
    with pytest.raises(jwt.ExpiredSignatureError):  # forgotten, then refused by PyJWT too
        keys.verify(app_settings, token)


# lifecycle


async def test_access_tokens_live_15_minutes_and_refresh_rotates(
    api: httpx.AsyncClient, clients: Clients
) -> None:
    _, tokens = await account(api, clients)
    assert tokens["expiresIn"] <= 900
    claims = jwt.decode(tokens["accessToken"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= 900 and "role" not in claims
    rotated = await refresh(api, tokens["refreshToken"])
    assert rotated.status_code == 200, rotated.text
    fresh = rotated.json()
    assert fresh["refreshToken"] != tokens["refreshToken"]
    assert (await me(api, fresh)).status_code == 200


async def test_a_reused_refresh_token_revokes_the_session(
    api: httpx.AsyncClient, clients: Clients
) -> None:
    _, tokens = await account(api, clients)
    thief = (await refresh(api, tokens["refreshToken"])).json()
    reused = await refresh(api, tokens["refreshToken"])  # the owner, with the spent copy
    assert_refused(reused, 401, "unauthorized")
    assert_refused(await refresh(api, thief["refreshToken"]), 401, "unauthorized")
    assert_refused(await me(api, thief), 401, "unauthorized")
    assert_refused(await me(api, tokens), 401, "unauthorized")


async def test_logout_ends_the_session_at_once(api: httpx.AsyncClient, clients: Clients) -> None:
    email, tokens = await account(api, clients)
    again = (await api.post("/v1/users/login", json={"email": email, "password": PASSWORD})).json()
    assert (await api.post("/v1/users/logout", headers=bearer(tokens))).status_code == 204
    assert_refused(await me(api, tokens), 401, "unauthorized")
    assert_refused(await refresh(api, tokens["refreshToken"]), 401, "unauthorized")
    assert (await me(api, again)).status_code == 200, "another session is left alone"


async def test_a_password_change_ends_every_session(
    api: httpx.AsyncClient, clients: Clients
) -> None:
    email, tokens = await account(api, clients)
    other = (await api.post("/v1/users/login", json={"email": email, "password": PASSWORD})).json()
    wrong = {"currentPassword": "not it at all", "newPassword": "another long passphrase"}
    refused = await api.post("/v1/users/me/password", json=wrong, headers=bearer(tokens))
    assert_refused(refused, 401, "unauthorized")

    change = {"currentPassword": PASSWORD, "newPassword": "another long passphrase"}
    changed = await api.post("/v1/users/me/password", json=change, headers=bearer(tokens))
    assert changed.status_code == 200, changed.text
    for ended in (tokens, other):
        assert_refused(await me(api, ended), 401, "unauthorized")
        assert_refused(await refresh(api, ended["refreshToken"]), 401, "unauthorized")
    assert (await me(api, changed.json())).status_code == 200
    old = await api.post("/v1/users/login", json={"email": email, "password": PASSWORD})
    assert_refused(old, 401, "invalid_credentials")


async def test_a_promotion_ends_every_session_of_the_account(
    api: httpx.AsyncClient, services: Services, clients: Clients
) -> None:
    """No token issued before the promotion acts as an admin: its holder (the account's
    owner, or whoever signed up with that address and kept its tokens) signs in again."""
    email, tokens = await account(api, clients)
    url = "/v1/admin/products/prod_role_change"
    assert (await api.delete(url, headers=bearer(tokens))).status_code == 403

    done = await create_admin(services, email, PASSWORD)

    assert (done.step, done.sessions_ended) == (AdminStep.PROMOTE, 1)
    assert_refused(await api.delete(url, headers=bearer(tokens)), 401, "unauthorized")
    assert_refused(await refresh(api, tokens["refreshToken"]), 401, "unauthorized")
    again = await api.post("/v1/users/login", json={"email": email, "password": PASSWORD})
    assert (await api.delete(url, headers=bearer(again.json()))).status_code == 404
    assert (await me(api, again.json())).json()["role"] == "admin"


async def test_an_address_nobody_confirmed_is_never_promoted(
    api: httpx.AsyncClient, services: Services, clients: Clients
) -> None:
    """An outsider signs up the address an operator will later make an admin."""
    email = f"ops-{uuid.uuid4().hex[:12]}@test.shopstream.dev"
    body = {"name": "Outsider", "email": email, "password": PASSWORD}
    assert (await api.post("/v1/users/signup", json=body)).status_code == 202
    login = await api.post("/v1/users/login", json={"email": email, "password": PASSWORD})
    assert_refused(login, 403, "email_not_verified")

    with pytest.raises(UnverifiedAccount):
        await create_admin(services, email, "the operator's own passphrase")

    [row] = await sql(clients, "SELECT role FROM users WHERE email = %s", email)
    assert row["role"] == "customer"
    assert_refused(
        await api.post("/v1/users/login", json={"email": email, "password": PASSWORD}),
        403,
        "email_not_verified",
    )


async def test_a_demoted_admin_is_refused_at_once(api: httpx.AsyncClient, clients: Clients) -> None:
    admin = await create_shopper(clients, role="admin")
    url = "/v1/admin/products/prod_role_change"
    assert (await api.delete(url, headers=admin.headers)).status_code == 404
    await sql(clients, "UPDATE users SET role = 'customer' WHERE user_id = %s", admin.user_id)
    assert_refused(await api.delete(url, headers=admin.headers), 403, "forbidden")


async def test_refresh_tokens_are_stored_only_as_hashes(
    api: httpx.AsyncClient, clients: Clients
) -> None:
    """A database dump cannot be replayed as a session."""
    _, tokens = await account(api, clients)
    raw = tokens["refreshToken"].encode()
    [found] = await sql(
        clients,
        "SELECT count(*) FILTER (WHERE token_hash = %s) AS raw,"
        " count(*) FILTER (WHERE token_hash = %s) AS digest FROM refresh_tokens",
        raw,
        hashlib.sha256(raw).digest(),
    )
    assert (found["raw"], found["digest"]) == (0, 1)
