"""Bearer-token authentication: every protected request proves a live session.

The access token (``api.tokens``) is checked for signature, key, issuer and expiry; then one
Postgres lookup (``repositories.sessions.standing``) confirms the account still exists, the
session is neither revoked nor expired, and the token's version is the account's current one.
The role comes from that lookup, never from the token, so a demotion applies to the next
request. Any failure is a 401 with the JSON error body.
"""

import uuid
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from adapters import sessions
from api.deps import get_clients, get_keys
from api.errors import ApiError
from api.rate_limit import limit_by_user


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    role: str
    session_id: uuid.UUID

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


_bearer = HTTPBearer(auto_error=False, description="Access token from POST /v1/users/login")


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency for every cart/checkout/payment/order route; also counts the request
    against the caller's per-user rate limit."""
    if credentials is None:
        raise unauthorized("missing bearer token")
    clients = get_clients(request)
    try:
        claims = get_keys(request).verify(clients.settings, credentials.credentials)
    except jwt.ExpiredSignatureError as exc:
        raise unauthorized("token expired") from exc
    except jwt.InvalidTokenError as exc:
        raise unauthorized("invalid token") from exc
    async with clients.pg.connection() as conn:
        found = await sessions.standing(conn, claims.user_id, claims.session_id)
    if found is None or not found.session_live or found.token_version != claims.token_version:
        raise unauthorized("session ended: sign in again")
    await limit_by_user(request, str(claims.user_id))
    principal = Principal(claims.user_id, found.role, claims.session_id)
    request.state.principal = principal
    return principal


def require_admin(principal: Annotated[Principal, Depends(current_user)]) -> Principal:
    if not principal.is_admin:
        raise ApiError(403, "forbidden", "admin role required")
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]
AdminUser = Annotated[Principal, Depends(require_admin)]
