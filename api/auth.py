"""Bearer-token authentication: every protected request proves a live session
(``services.sessions.authenticate``); any failure is a 401 with the JSON error body."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import keys_of, services_of
from api.errors import ApiError
from api.rate_limit import limit_by_user
from domain.errors import Unauthenticated
from services.sessions import Principal, authenticate

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /v1/users/login")


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency for every cart/checkout/payment/order route; also counts the request
    against the caller's per-user rate limit."""
    if credentials is None:
        raise Unauthenticated("missing bearer token")
    principal = await authenticate(services_of(request), keys_of(request), credentials.credentials)
    await limit_by_user(request, str(principal.user_id))
    request.state.principal = principal
    return principal


async def require_admin(principal: Annotated[Principal, Depends(current_user)]) -> Principal:
    if not principal.is_admin:
        raise ApiError(403, "forbidden", "admin role required")
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]
AdminUser = Annotated[Principal, Depends(require_admin)]
