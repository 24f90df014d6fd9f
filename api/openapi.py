"""What the storefront's OpenAPI document tells a consumer beyond what FastAPI derives: stable
camelCase operation ids, described tags, the error responses each kind of route can give,
the order status stream's events, and the project's own 422 body in place of FastAPI's.

Routers pick their errors with ``error_responses``; a route's own statuses are documented
where it is declared, so the document says what that route can really answer.
"""

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic.alias_generators import to_camel
from pydantic.json_schema import models_json_schema

from api.errors import ErrorBody, ValidationErrorBody
from api.models.orders import OrderStatusEvent

SCHEMAS = "#/components/schemas/"

DESCRIPTION = """\
Every error is JSON, `{"error": {"code", "message", ...}}`: `code` is stable, the other fields
name what was refused. Sign in with `POST /v1/users/login` and send
`Authorization: Bearer <accessToken>`. Requests are rate limited per client address, and per
user once signed in (429 with `Retry-After`)."""

TAGS: list[dict[str, str]] = [
    {
        "name": "users",
        "description": "Accounts: sign up, sign in (bearer tokens), refresh and sign out, "
        "password, profile and delivery addresses.",
    },
    {
        "name": "products",
        "description": "The catalog, no sign-in needed: full-text search with facets, "
        "search-box suggestions and the product page with live stock.",
    },
    {
        "name": "cart",
        "description": "The signed-in shopper's cart: lines of product ids and quantities, "
        "priced live when read.",
    },
    {
        "name": "checkout",
        "description": "Turns confirmed cart lines into a RESERVED order holding the stock.",
    },
    {
        "name": "payment",
        "description": "Pays a RESERVED order by card through the payment gateway.",
    },
    {
        "name": "orders",
        "description": "The signed-in shopper's orders: history, status, a live status "
        "stream (Server-Sent Events), and cancelling before shipping.",
    },
    {
        "name": "admin",
        "description": "Operators only (admin role): products, stock, and moving orders "
        "through fulfilment.",
    },
    {
        "name": "carrier",
        "description": "The delivery carrier's tracking webhook, signed with a shared secret "
        "(no sign-in): moves shipped orders on to delivery.",
    },
]


def operation_id(route: APIRoute) -> str:
    """The route function's name in camelCase (``search_products`` -> ``searchProducts``):
    readable, and stable while the function keeps its name, whatever its path or method."""
    return to_camel(route.name)


RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
}

ERRORS: dict[int, dict[str, Any]] = {
    400: {
        "description": "What was sent cannot be used as it is: `code` says why (`invalid_token`: "
        "a mailed link that is unknown, used or expired)"
    },
    401: {
        "description": "Not authenticated: the bearer token (or the credentials sent) is "
        "missing, wrong or expired, or the session has ended",
        "headers": {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    },
    403: {
        "description": "Not allowed: the route needs the admin role (`forbidden`), or the "
        "account's address was never confirmed (`email_not_verified`)"
    },
    404: {
        "description": "Not found, or not the caller's; `code` says what "
        "(`not_found`, `cart_not_found`, `not_in_cart`, ...)"
    },
    409: {
        "description": "Refused by a business rule: `code` names the rule, the other fields "
        "what was refused"
    },
    413: {"description": "The upload is larger than the limit (`limitBytes`)"},
    415: {
        "description": "The upload is not an image we take: JPEG, PNG or WebP, at most 40 "
        "million pixels, undamaged (`invalid_image`)"
    },
    429: {
        "description": "Too many requests (rate limit, sign-in lockout, open status streams): "
        "retry after `Retry-After` seconds",
        "headers": RETRY_AFTER,
    },
    503: {
        "description": "A dependency is down or busy (`dependency` names it): retry after "
        "`Retry-After` seconds",
        "headers": RETRY_AFTER,
    },
}
"""How each error status reads in the document; its body is always ``ErrorBody``."""

VALIDATION_ERROR: dict[str, Any] = {
    "description": "The request failed validation: `details` lists each problem by field",
    "content": {"application/json": {"schema": {"$ref": f"{SCHEMAS}ValidationErrorBody"}}},
}
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

COMPONENT_MODELS: tuple[type[BaseModel], ...] = (ValidationErrorBody, OrderStatusEvent)
"""Models the document refers to that no route signature names."""


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A ``responses=`` entry documenting the JSON error body for ``statuses``."""
    return {status: {"model": ErrorBody, **ERRORS[status]} for status in statuses}


def event_stream(event: str, data: type[BaseModel], description: str) -> dict[int | str, dict]:
    """A 200 of ``text/event-stream`` whose events are named ``event`` and carry ``data`` as
    JSON. Before OpenAPI 3.2 (``itemSchema``), a stream's ``schema`` describes one event."""
    one_event = {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"type": "string", "const": event},
            "id": {"type": "string"},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {"$ref": f"{SCHEMAS}{data.__name__}"},
            },
        },
    }
    return {
        200: {"description": description, "content": {"text/event-stream": {"schema": one_event}}}
    }


def install_openapi(app: FastAPI) -> None:
    """The document is built once, on first request, as FastAPI builds it, then amended."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = amended(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def amended(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents a 422 on every operation with parameters or a body, in its own shape;
    ``api.errors`` answers ``ValidationErrorBody`` instead, so the 422s say so."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    for name, schema in component_schemas(*COMPONENT_MODELS).items():
        schemas.setdefault(name, schema)
    for path_item in document["paths"].values():
        for operation in path_item.values():
            if "422" in operation["responses"]:
                operation["responses"]["422"] = copy.deepcopy(VALIDATION_ERROR)
    return document


def component_schemas(*models: type[BaseModel]) -> dict[str, Any]:
    """The models' JSON schemas as named components (nested models by name too)."""
    _, schema = models_json_schema(
        [(model, "serialization") for model in models], ref_template=f"{SCHEMAS}{{model}}"
    )
    return schema["$defs"]
