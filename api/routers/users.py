"""Signup, sign-in (tokens), refresh, sign-out, password change, profile and addresses."""

import uuid

from fastapi import APIRouter, Request, Response

from api.auth import CurrentUser
from api.deps import CredentialsDep, HashingDep, KeysDep, ServicesDep
from api.models.users import (
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
from api.openapi import error_responses
from services import accounts, sessions

router = APIRouter(prefix="/users", tags=["users"])


def _tokens(pair: sessions.TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )


@router.post("/signup", status_code=201, responses=error_responses(409))
async def sign_up(
    body: SignupRequest, services: ServicesDep, hashing: HashingDep
) -> SignupResponse:
    """Creates a customer account (never an admin: see services.accounts.create_admin)."""
    user_id = await sessions.sign_up(services, hashing, body.name, body.email, body.password)
    return SignupResponse(user_id=user_id)


@router.post("/login", responses=error_responses(401))
async def login(
    body: LoginRequest, request: Request, services: ServicesDep, credentials: CredentialsDep
) -> TokenResponse:
    """A new session: a 15-minute access token and a refresh token. Repeated failures lock
    the account (and the client address) for a growing time: 429 with Retry-After."""
    address = request.client.host if request.client else "unknown"
    return _tokens(
        await sessions.sign_in(services, credentials, body.email, body.password, address)
    )


@router.post("/refresh", responses=error_responses(401))
async def refresh_tokens(
    body: RefreshRequest, services: ServicesDep, keys: KeysDep
) -> TokenResponse:
    """The next token pair of the session; the refresh token sent is spent. Sending a spent
    one again revokes the session (someone else holds a copy)."""
    return _tokens(await sessions.refresh(services, keys, body.refresh_token))


@router.post("/logout", status_code=204, responses=error_responses(401))
async def logout(user: CurrentUser, services: ServicesDep) -> Response:
    """Ends this session: its access and refresh tokens stop working at once."""
    await sessions.sign_out(services, user.session_id)
    return Response(status_code=204)


@router.post("/me/password", responses=error_responses(401))
async def change_password(
    body: PasswordChange, user: CurrentUser, services: ServicesDep, credentials: CredentialsDep
) -> TokenResponse:
    """Every session of the account ends (other devices must sign in again); the answer
    carries the tokens of a new session."""
    pair = await sessions.change_password(
        services, credentials, user.user_id, body.current_password, body.new_password
    )
    return _tokens(pair)


@router.get("/me", responses=error_responses(401))
async def get_profile(user: CurrentUser, services: ServicesDep) -> UserProfile:
    return UserProfile.model_validate(await accounts.profile(services, user.user_id))


@router.post("/me/addresses", status_code=201, responses=error_responses(401, 409))
async def add_address(body: AddressIn, user: CurrentUser, services: ServicesDep) -> Address:
    address = Address(address_id=uuid.uuid4(), **body.model_dump())
    await accounts.add_address(
        services, user.user_id, address.model_dump(mode="json", by_alias=True)
    )
    return address


@router.get("/me/addresses", responses=error_responses(401))
async def list_addresses(user: CurrentUser, services: ServicesDep) -> list[Address]:
    return [Address.model_validate(a) for a in await accounts.addresses(services, user.user_id)]
