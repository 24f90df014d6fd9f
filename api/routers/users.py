"""Signup, sign-in (tokens), refresh, sign-out, password change, profile and addresses."""

import math
import uuid

from fastapi import APIRouter, Request, Response

from api.auth import CurrentUser, unauthorized
from api.deps import ClientsDep, HashingDep, KeysDep
from api.errors import ApiError, error_responses
from api.login_throttle import LoginThrottle
from api.passwords import needs_rehash
from api.repositories import users
from api.services import sessions
from schemas.users import (
    Address,
    AddressIn,
    LoginRequest,
    PasswordChange,
    RefreshRequest,
    SignupRequest,
    SignupResponse,
    TokenResponse,
    UserProfile,
)

router = APIRouter(prefix="/users", tags=["users"], responses=error_responses(401, 409))


def _tokens(pair: sessions.TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )


@router.post("/signup", status_code=201)
async def signup(body: SignupRequest, clients: ClientsDep, hashing: HashingDep) -> SignupResponse:
    """Creates a customer account (never an admin: see ops.admin.create_admin)."""
    password_hash = await hashing.hash(body.password)
    user_id = uuid.uuid4()
    async with clients.pg.connection() as conn:
        if not await users.insert_user(conn, user_id, body.name, body.email, password_hash):
            raise ApiError(409, "email_taken", "an account with this email already exists")
    return SignupResponse(user_id=user_id)


@router.post("/login")
async def login(
    body: LoginRequest,
    request: Request,
    clients: ClientsDep,
    keys: KeysDep,
    hashing: HashingDep,
) -> TokenResponse:
    """A new session: a 15-minute access token and a refresh token. Repeated failures lock
    the account (and the client address) for a growing time: 429 with Retry-After."""
    address = request.client.host if request.client else "unknown"
    throttle = LoginThrottle(clients.redis, clients.settings)
    if (wait := await throttle.locked_for(body.email, address)) > 0:
        raise ApiError(
            429,
            "login_locked",
            "too many failed logins; try again later",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    async with clients.pg.connection() as conn:
        account = await users.credentials(conn, body.email)
    stored_hash = account["password_hash"] if account else None
    matched = await hashing.matches(stored_hash, body.password)  # an unknown email costs alike
    if account is None or not matched:
        await throttle.failed(body.email, address)
        raise ApiError(401, "invalid_credentials", "wrong email or password")
    await throttle.succeeded(body.email)
    upgraded = await hashing.hash(body.password) if needs_rehash(stored_hash) else None
    async with clients.pg.connection() as conn, conn.transaction():
        if upgraded:
            await users.upgrade_hash(conn, account["user_id"], upgraded)
        pair = await sessions.start_session(
            conn, keys, clients.settings, account["user_id"], account["token_version"]
        )
    return _tokens(pair)


@router.post("/refresh")
async def refresh(body: RefreshRequest, clients: ClientsDep, keys: KeysDep) -> TokenResponse:
    """The next token pair of the session; the refresh token sent is spent. Sending a spent
    one again revokes the session (someone else holds a copy)."""
    return _tokens(await sessions.refresh(clients.pg, keys, clients.settings, body.refresh_token))


@router.post("/logout", status_code=204)
async def logout(user: CurrentUser, clients: ClientsDep) -> Response:
    """Ends this session: its access and refresh tokens stop working at once."""
    await sessions.sign_out(clients.pg, user.session_id)
    return Response(status_code=204)


@router.post("/me/password")
async def change_password(
    body: PasswordChange,
    user: CurrentUser,
    clients: ClientsDep,
    keys: KeysDep,
    hashing: HashingDep,
) -> TokenResponse:
    """Every session of the account ends (other devices must sign in again); the answer
    carries the tokens of a new session."""
    async with clients.pg.connection() as conn:
        stored_hash = await users.password_hash(conn, user.user_id)
    if not await hashing.matches(stored_hash, body.current_password):
        raise unauthorized("the current password is wrong")
    new_hash = await hashing.hash(body.new_password)
    return _tokens(
        await sessions.change_password(clients.pg, keys, clients.settings, user.user_id, new_hash)
    )


@router.get("/me")
async def me(user: CurrentUser, clients: ClientsDep) -> UserProfile:
    async with clients.pg.connection() as conn:
        row = await users.profile(conn, user.user_id)
    if row is None:
        raise unauthorized("the account of this token no longer exists")
    return UserProfile.model_validate(row)


@router.post("/me/addresses", status_code=201)
async def add_address(body: AddressIn, user: CurrentUser, clients: ClientsDep) -> Address:
    address = Address(address_id=uuid.uuid4(), **body.model_dump())
    async with clients.pg.connection() as conn:
        if not await users.append_address(
            conn, user.user_id, address.model_dump(mode="json", by_alias=True)
        ):
            raise ApiError(
                409, "address_limit", f"at most {users.MAX_ADDRESSES} addresses per account"
            )
    return address


@router.get("/me/addresses")
async def list_addresses(user: CurrentUser, clients: ClientsDep) -> list[Address]:
    async with clients.pg.connection() as conn:
        return [Address.model_validate(a) for a in await users.addresses(conn, user.user_id)]
