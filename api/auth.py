"""Bearer-token authentication: stateless JWTs (HS256) carrying user id and role."""

import time
import uuid
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import get_clients
from api.errors import ApiError
from api.rate_limit import limit_by_user
from schemas.settings import Settings


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def issue_token(settings: Settings, principal: Principal) -> str:
    now = int(time.time())
    claims = {
        "sub": str(principal.user_id),
        "email": principal.email,
        "role": principal.role,
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + settings.jwt_ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def decode_token(settings: Settings, token: str) -> Principal:
    """Raises ApiError(401) for a missing, expired, tampered or foreign-issuer token."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=["HS256"],
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "iss", "role"]},
        )
        return Principal(uuid.UUID(claims["sub"]), claims.get("email", ""), claims["role"])
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorized("token expired") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise _unauthorized("invalid token") from exc


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


_bearer = HTTPBearer(auto_error=False, description="Access token from POST /v1/users/login")


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency for every cart/checkout/payment/order route; also counts the request
    against the caller's per-user rate limit."""
    if credentials is None:
        raise _unauthorized("missing bearer token")
    principal = decode_token(get_clients(request).settings, credentials.credentials)
    await limit_by_user(request, str(principal.user_id))
    request.state.principal = principal
    return principal


def require_admin(principal: Annotated[Principal, Depends(current_user)]) -> Principal:
    if not principal.is_admin:
        raise ApiError(403, "forbidden", "admin role required")
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]
AdminUser = Annotated[Principal, Depends(require_admin)]
