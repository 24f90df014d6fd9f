"""Security headers on every storefront response (the TLS edge adds HSTS).

The API serves JSON, so its policy forbids everything a browser could do with a response
(scripts, frames, sniffing a type); only the interactive docs, which load Swagger UI from a
CDN, are left without a content security policy. Responses to signed-in requests and to the
sign-in routes are never stored by caches.
"""

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCS = ("/docs", "/redoc", "/openapi.json")


def install_security_headers(app: FastAPI) -> None:
    app.middleware("http")(_secure)


async def _secure(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    response.headers.update(ALWAYS)
    if not request.url.path.startswith(DOCS):
        response.headers["Content-Security-Policy"] = API_POLICY
    if "authorization" in request.headers or request.url.path.startswith("/v1/users"):
        response.headers["Cache-Control"] = "no-store"
    return response
