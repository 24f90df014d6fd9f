"""Who may read the ops dashboard: a request naming the dashboard itself in ``Host``, from an
operator (HTTP Basic, ``SHOP_DASHBOARD_USER`` / ``SHOP_DASHBOARD_PASSWORD``).

The dashboard lists customers' mail and the shop's internals. Binding loopback is not enough:
a page on ``attacker.example`` whose name the attacker re-points at 127.0.0.1 (DNS rebinding)
is same-origin with it in the victim's browser, and its requests carry ``Host:
attacker.example:8070``. So a Host outside ``SHOP_DASHBOARD_ALLOWED_HOSTS`` is refused (421)
before anything else, and every route but the probes' asks for the login (the browser prompts
once, then sends it with each of the page's requests). ``/healthz`` is open to probes;
``/metrics`` answers only ``SHOP_METRICS_NETWORKS``, as the API's does.
"""

import base64
import binascii
import hmac
import json

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_body
from config import Settings

OPEN_PATHS = frozenset({"/healthz", "/metrics"})
"""Probes and scrapes: no login (``/metrics`` checks the client's network itself)."""

REALM = 'Basic realm="shopstream ops", charset="UTF-8"'


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """The Host values answered: the setting's, else the dashboard's own address, 127.0.0.1
    and localhost, each at the dashboard's port."""
    listed = [name.strip().lower() for name in settings.dashboard_allowed_hosts.split(",")]
    if any(listed):
        return frozenset(name for name in listed if name)
    port = settings.dashboard_port
    names = (settings.dashboard_host, "127.0.0.1", "localhost")
    return frozenset(f"{name.lower()}:{port}" for name in names)


def is_operator(authorization: str | None, user: str, password: str) -> bool:
    """True when ``authorization`` is HTTP Basic of ``user`` and ``password``; anything else,
    malformed included, is False. Compared as bytes in constant time."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    given_user, colon, given_password = decoded.partition(b":")
    user_ok = hmac.compare_digest(given_user, user.encode())
    password_ok = hmac.compare_digest(given_password, password.encode())
    return bool(colon) and user_ok and password_ok


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def login_password(settings: Settings) -> str:
    """The operator's password; refuses (``RuntimeError``) to go on without one."""
    secret = settings.dashboard_password
    if secret is None or not secret.get_secret_value():
        raise RuntimeError("SHOP_DASHBOARD_PASSWORD is not set (`make up` generates one)")
    return secret.get_secret_value()


class DashboardGuard:
    """Plain ASGI: refuses before the app (and its routing, its validation) sees anything."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hosts = allowed_hosts(settings)
        self.user = settings.dashboard_user
        self.password = login_password(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = (_header(scope, b"host") or "").lower()
        if host not in self.hosts:
            await _refuse(send, 421, "unknown_host", "this dashboard answers only to its own name")
        elif scope["path"] in OPEN_PATHS or is_operator(
            _header(scope, b"authorization"), self.user, self.password
        ):
            await self.app(scope, receive, send)
        else:
            await _refuse(
                send,
                401,
                "unauthorized",
                "sign in as the operator (HTTP Basic, SHOP_DASHBOARD_USER/PASSWORD)",
                [(b"www-authenticate", REALM.encode())],
            )


async def _refuse(
    send: Send,
    status: int,
    code: str,
    message: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps(error_body(code, message)).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": head + (headers or [])})
    await send({"type": "http.response.body", "body": body})
