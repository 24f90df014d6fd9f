"""The flash sale's losers are answered before the rest of the request's work, and its
winners go straight to work.

When a product sells out, nearly every checkout is one the stock gate refuses. Through the
whole route such a refusal cost four times the app's own 404 (the session read in Postgres,
the per-user limit, the body model, the dependency machinery); and since the route only
looked at the gate before validating the order, every buyer of a burst saw the units still
free and went on to the route. This lane (``api.lanes``) takes ``POST /v1/checkout`` first:
with a valid signed token, an Idempotency-Key (which gives the order the id the route will
give it) and a body the route would accept, one Redis call counts the request
against the client address's limit and admits the order at the gate
(``services.checkout.admit_at_gate``); a shortage is answered here with the route's own 409,
an admitted order goes on to the route (and gives its units back at once if the line sheds
it, ``api.admission``). Anything else (no or bad token, a body the route would
refuse, Redis unreachable) goes on to the route as it came.

The lane does not read the session. A refusal changes nothing and says only what every product
page says (the available count is public), so a signed-out token learns nothing it could not
read anonymously; and for the same reason a refusal is not counted against the account's
per-user limit, which a signed-out token must not be able to spend. An admission holds units
at the gate only (Postgres decides every unit, after the route proved a live session): the
route releases it at once when it refuses the order, and an admission the route never sees
(the session ended) stops counting at its deadline (``SHOP_GATE_ADMISSION_TTL_SECONDS``). A
signed-in shopper can hold units far longer by simply checking out.
"""

import json
import uuid
from functools import partial

import jwt
from pydantic import ValidationError
from redis.exceptions import RedisError
from starlette.responses import Response
from starlette.types import ASGIApp, Scope

from adapters.tokens import TokenKeys
from api.admission import ON_SHED
from api.errors import refusal_response
from api.lanes import Lane, Replay, address_counter, counted, header
from api.models.checkout import CheckoutRequest
from config import Settings
from services.checkout import admit_at_gate, release_at_gate

PATH = "/v1/checkout"
MAX_BODY_BYTES = 65_536
"""Bodies longer than any real checkout's go to the route as they are."""
MAX_KEY_LENGTH = 255  # the route's Idempotency-Key bound (``api.params``)


def sold_out_lane(app: ASGIApp) -> Lane:
    return Lane(
        app, "POST", PATH, lambda scope: scope["path"] == PATH, _answer, passes_on=(RedisError,)
    )


async def _answer(scope: Scope, replay: Replay) -> Response | None:
    state = scope["app"].state
    services = state.services
    user_id = _signed_user(scope, state.keys, services.settings)
    key = header(scope, b"idempotency-key")
    if user_id is None or not _json(scope) or key is None or not 0 < len(key) <= MAX_KEY_LENGTH:
        return None  # without an Idempotency-Key the order has no id the route would share
    body = await replay.body(MAX_BODY_BYTES)
    if body is None or (order := _checkout(body)) is None:
        return None
    settings = services.settings
    wanted = {line.product_id: line.quantity for line in order.products}  # as the route
    hits, refusal = await admit_at_gate(
        services,
        user_id,
        wanted,
        key,
        address_counter(scope, settings),
        settings.rate_limit_window_seconds,
    )
    limited = counted(scope, hits, settings)
    if limited is not None:
        return limited
    if refusal is not None:
        return refusal_response(refusal)
    scope[ON_SHED] = partial(release_at_gate, services, user_id, wanted, key)
    return None


def _json(scope: Scope) -> bool:
    """The route reads the body as JSON when it says so or says nothing."""
    kind = header(scope, b"content-type")
    return kind is None or kind.split(";", 1)[0].strip().lower().endswith("json")


def _signed_user(scope: Scope, keys: TokenKeys, settings: Settings) -> uuid.UUID | None:
    """The user a valid, unexpired access token names (the session is not read)."""
    authorization = header(scope, b"authorization")
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
