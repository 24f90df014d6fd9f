"""Whether a bearer token is an operator's: asked by the TLS edge before it admits an upload's
body (nginx ``auth_request``), so an anonymous caller's megabytes are never read."""

from fastapi import APIRouter, Response

from api.auth import AdminUser
from api.openapi import error_responses

router = APIRouter(prefix="/admin", tags=["admin"], responses=error_responses(401, 403))


@router.get("/access", status_code=204, response_class=Response)
async def check_admin_access(_: AdminUser) -> Response:
    """204 when the bearer token belongs to a live session of an operator (admin role); 401
    or 403 otherwise. Counts against the rate limits like any request."""
    return Response(status_code=204)
