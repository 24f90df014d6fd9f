"""The flash sale's losers are answered before the rest of the request's work.

When a product sells out, nearly every checkout is one the stock gate already refuses. Through
the whole route such a refusal cost four times the app's own 404 (the session read in Postgres,
the per-user limit, the body model, the dependency machinery). This middleware takes
``POST /v1/checkout`` first: with a valid signed token and a body the route would accept, it
counts the request against the caller's address limit and asks the gate
(``services.checkout.gate_refusal``); a shortage is answered here with the route's own 409.
Anything else (no or bad token, a body the route would refuse, a gate that admits, Redis
unreachable) goes on to the route unchanged, which then does not count the address twice.

The refusal skips the session check on purpose: it changes nothing and says only what every
product page says (the product's available count is public), so a signed-out token learns
nothing it could not read anonymously. Every checkout that can act (be admitted, reserve,
place) still proves a live session first. For the same reason the refusal is not counted
against the account's per-user limit: a token its owner signed out of must not be able to
spend the owner's budget.
"""

import json
import uuid

import jwt
from pydantic import ValidationError
from redis.exceptions import RedisError
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.tokens import TokenKeys
from api.errors import api_error_response, refusal_response
from api.models.checkout import CheckoutRequest
from api.rate_limit import IP_COUNTED, over_limit, window_key
from config import Settings
from services.checkout import gate_refusal

PATH = "/v1/checkout"
MAX_BODY_BYTES = 65_536
"""Bodies longer than any real checkout's go to the route as they are."""


class SoldOutLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._route: Route | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        messages, body = await _read_body(receive)
        replay = _replaying(messages, receive)
        try:
            response = None if body is None else await self._answer(scope, body)
        except RedisError:
            response = None
        if response is None:
            await self.app(scope, replay, send)
            return
        scope["route"] = self._checkout_route(scope)  # the request metric's label
        await response(scope, replay, send)

    async def _answer(self, scope: Scope, body: bytes) -> Response | None:
        """The response the lane gives, or None to let the route answer."""
        state = scope["app"].state
        services = state.services
        user_id = _signed_user(scope, state.keys, services.settings)
        key = _header(scope, b"idempotency-key")
        if user_id is None or not _json(scope) or (key is not None and not 0 < len(key) <= 255):
            return None
        if (order := _checkout(body)) is None:
            return None
        settings = services.settings
        client = scope.get("client")
        window = settings.rate_limit_window_seconds
        counter = window_key("ip", client[0] if client else "unknown", window)
        wanted = {line.product_id: line.quantity for line in order.products}  # as the route
        hits, refusal = await gate_refusal(services, user_id, wanted, key, counter, window)
        scope[IP_COUNTED] = True
        if (limited := over_limit(hits, settings.rate_limit_per_ip, window)) is not None:
            return api_error_response(limited)
        return None if refusal is None else refusal_response(refusal)

    def _checkout_route(self, scope: Scope) -> Route | None:
        if self._route is None:
            self._route = next(
                (
                    route
                    for route in scope["app"].router.routes
                    if getattr(route, "path", None) == PATH
                    and "POST" in (getattr(route, "methods", None) or ())
                ),
                None,
            )
        return self._route


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _json(scope: Scope) -> bool:
    """The route reads the body as JSON when it says so or says nothing."""
    kind = _header(scope, b"content-type")
    return kind is None or kind.split(";", 1)[0].strip().lower().endswith("json")


def _signed_user(scope: Scope, keys: TokenKeys, settings: Settings) -> uuid.UUID | None:
    """The user a valid, unexpired access token names (the session is not read)."""
    authorization = _header(scope, b"authorization")
    if authorization is None or not authorization.startswith("Bearer "):
        return None
    try:
        return keys.verify(settings, authorization[len("Bearer ") :]).user_id
    except jwt.InvalidTokenError:
        return None


def _checkout(body: bytes) -> CheckoutRequest | None:
    """The body as the route would read it; None when the route would refuse it."""
    try:
        return CheckoutRequest.model_validate_json(body)
    except (ValidationError, json.JSONDecodeError, UnicodeDecodeError):
        return None


async def _read_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The messages read, and the whole body (None when it is too long or the client left)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        size += len(message.get("body", b""))
        if size > MAX_BODY_BYTES:
            return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(m.get("body", b"") for m in messages)


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that hands the route the messages the lane already read, then the rest."""
    pending = list(messages)

    async def again() -> Message:
        return pending.pop(0) if pending else await receive()

    return again
