"""Signup and proving the address, sign-in (tokens), refresh, sign-out, password change and
reset, profile and addresses."""

import uuid

from fastapi import APIRouter, Request, Response

from api.auth import CurrentUser
from api.deps import CredentialsDep, HashingDep, KeysDep, ServicesDep
from api.models.users import (
    Address,
    AddressIn,
    Done,
    EmailRequest,
    LoginRequest,
    Mailed,
    PasswordChange,
    PasswordResetConfirm,
    RefreshRequest,
    SignupRequest,
    TokenResponse,
    UserProfile,
    VerifyEmailRequest,
)
from api.openapi import error_responses
from services import accounts, sessions, verification

router = APIRouter(prefix="/users", tags=["users"])


def _tokens(pair: sessions.TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )


@router.post("/signup", status_code=202)
async def sign_up(body: SignupRequest, services: ServicesDep, hashing: HashingDep) -> Mailed:
    """Creates a customer account awaiting confirmation of its address (never an admin), and
    mails the address a confirmation link. An address that already has an account gets the
    same answer and a mail offering its owner a new password instead: nobody learns from the
    answer who has an account, and the owner of an address someone else registered can take
    it over."""
    await verification.sign_up(services, hashing, body.name, body.email, body.password)
    return Mailed()


@router.post("/verify-email", responses=error_responses(400))
async def verify_email(body: VerifyEmailRequest, services: ServicesDep) -> Done:
    """Confirms the address with the token mailed to it (once; within a day). 400
    ``invalid_token`` for an unknown, used or expired one."""
    await verification.verify_email(services, body.token)
    return Done(status="verified")


@router.post("/verify-email/resend", status_code=202)
async def resend_verification(body: EmailRequest, services: ServicesDep) -> Mailed:
    """A new confirmation link to an address whose account is unconfirmed (the earlier one
    stops working); the same answer for any other address."""
    await verification.resend_verification(services, body.email)
    return Mailed()


@router.post("/password-reset", status_code=202)
async def request_password_reset(body: EmailRequest, services: ServicesDep) -> Mailed:
    """Mails a password-reset link (once; within 30 minutes) to the address if it has an
    account; the same answer either way."""
    await verification.request_password_reset(services, body.email)
    return Mailed()


@router.post("/password-reset/confirm", responses=error_responses(400))
async def reset_password(
    body: PasswordResetConfirm, services: ServicesDep, hashing: HashingDep
) -> Done:
    """Sets the new password with the mailed token, confirms the address, and ends every
    session of the account (every device signs in again); the owner is mailed a notice."""
    await verification.reset_password(services, hashing, body.token, body.new_password)
    return Done(status="password_reset")


@router.post("/login", responses=error_responses(401, 403))
async def login(
    body: LoginRequest, request: Request, services: ServicesDep, credentials: CredentialsDep
) -> TokenResponse:
    """A new session: a 15-minute access token and a refresh token. 403
    ``email_not_verified`` for the right password of an account whose address was never
    confirmed. Repeated failures slow down their source (this account from this address, and
    this address): 429 with Retry-After; nobody else's failures lock an owner out."""
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
