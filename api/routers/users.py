"""Signup, login, profile and delivery addresses."""

import asyncio
import uuid

from fastapi import APIRouter

from api.auth import CurrentUser, Principal, issue_token
from api.deps import ClientsDep
from api.errors import ApiError, error_responses
from api.passwords import hash_password, password_matches
from api.repositories import users
from schemas.users import (
    Address,
    AddressIn,
    LoginRequest,
    SignupRequest,
    SignupResponse,
    TokenResponse,
    UserProfile,
)

router = APIRouter(prefix="/users", tags=["users"], responses=error_responses(401, 409, 422, 429))


@router.post("/signup", status_code=201)
async def signup(body: SignupRequest, clients: ClientsDep) -> SignupResponse:
    """Creates a customer account (never an admin: see ops.admin.create_admin)."""
    password_hash = await asyncio.to_thread(hash_password, body.password)
    user_id = uuid.uuid4()
    async with clients.pg.connection() as conn:
        if not await users.insert_user(conn, user_id, body.name, body.email, password_hash):
            raise ApiError(409, "email_taken", "an account with this email already exists")
    return SignupResponse(user_id=user_id)


@router.post("/login")
async def login(body: LoginRequest, clients: ClientsDep) -> TokenResponse:
    async with clients.pg.connection() as conn:
        account = await users.credentials(conn, body.email)
    stored_hash = account["password_hash"] if account else None
    if not await asyncio.to_thread(password_matches, stored_hash, body.password):
        raise ApiError(401, "invalid_credentials", "wrong email or password")
    principal = Principal(account["user_id"], account["email"], account["role"])
    return TokenResponse(
        access_token=issue_token(clients.settings, principal),
        expires_in=clients.settings.jwt_ttl_seconds,
    )


@router.get("/me")
async def me(user: CurrentUser, clients: ClientsDep) -> UserProfile:
    async with clients.pg.connection() as conn:
        row = await users.profile(conn, user.user_id)
    if row is None:
        raise ApiError(401, "unauthorized", "the account of this token no longer exists")
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
