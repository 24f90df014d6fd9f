"""Security headers on every storefront response (the TLS edge adds HSTS).

The API serves JSON, so its policy forbids everything a browser could do with a response
(scripts, frames, sniffing a type). The interactive docs (``api.docs``) may run their own
scripts and styles, and Swagger UI's inline start, but load nothing from anywhere else: they
serve their files themselves. Responses to signed-in requests and to the sign-in routes are
never stored by caches.
"""

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.docs import PAGES as DOCS

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline';"
    " img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)


def install_security_headers(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)


class SecurityHeaders:
    """Plain ASGI (not ``BaseHTTPMiddleware``, which costs a task and a stream per request):
    the headers are added to the response's start message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        private = path.startswith("/v1/users") or any(
            name == b"authorization" for name, _ in scope["headers"]
        )

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(ALWAYS)
                docs = path.startswith(DOCS)
                headers["Content-Security-Policy"] = DOCS_POLICY if docs else API_POLICY
                if private:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_secured)
