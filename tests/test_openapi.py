"""The storefront's OpenAPI document, as a consumer (or a client generator) reads it: stable
camelCase operation ids, described tags, every error a route can give documented in the
project's error shape, the status stream as ``text/event-stream``. Built without engines:
``create_app`` opens nothing until its lifespan runs."""

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel

from adapters.status_feed import status_json
from api.app import create_app
from api.auth import current_user, require_admin
from api.errors import ValidationErrorBody, install_error_handlers
from api.models.orders import OrderStatusEvent
from api.openapi import SCHEMAS, TAGS
from api.rate_limit import limit_by_ip
from config import Settings
from domain.orders import OrderStatus
from domain.status_history import StatusChange
from tests.support.secrets import with_app_secrets

OPERATION_IDS = {
    ("POST", "/v1/users/signup"): "signUp",
    ("POST", "/v1/users/verify-email"): "verifyEmail",
    ("POST", "/v1/users/verify-email/resend"): "resendVerification",
    ("POST", "/v1/users/password-reset"): "requestPasswordReset",
    ("POST", "/v1/users/password-reset/confirm"): "resetPassword",
    ("POST", "/v1/users/login"): "login",
    ("POST", "/v1/users/refresh"): "refreshTokens",
    ("POST", "/v1/users/logout"): "logout",
    ("POST", "/v1/users/me/password"): "changePassword",
    ("GET", "/v1/users/me"): "getProfile",
    ("GET", "/v1/users/me/addresses"): "listAddresses",
    ("POST", "/v1/users/me/addresses"): "addAddress",
    ("GET", "/v1/products/search"): "searchProducts",
    ("GET", "/v1/products/suggest"): "suggestProducts",
    ("GET", "/v1/products/{productId}"): "getProduct",
    ("POST", "/v1/cart/add"): "addToCart",
    ("PUT", "/v1/cart/update"): "updateCartLine",
    ("DELETE", "/v1/cart/remove"): "removeFromCart",
    ("GET", "/v1/cart"): "getCart",
    ("POST", "/v1/checkout"): "checkout",
    ("POST", "/v1/payment"): "payOrder",
    ("GET", "/v1/orders"): "listOrders",
    ("GET", "/v1/orders/{orderId}/status"): "getOrderStatus",
    ("GET", "/v1/orders/{orderId}/events"): "streamOrderStatus",
    ("POST", "/v1/orders/{orderId}/cancel"): "cancelOrder",
    ("POST", "/v1/admin/products"): "createProduct",
    ("PUT", "/v1/admin/products/{productId}"): "updateProduct",
    ("DELETE", "/v1/admin/products/{productId}"): "deleteProduct",
    ("GET", "/v1/admin/access"): "checkAdminAccess",
    ("POST", "/v1/admin/products/{productId}/images"): "uploadImage",
    ("DELETE", "/v1/admin/products/{productId}/images/{imageId}"): "deleteImage",
    ("PUT", "/v1/admin/inventory/{productId}"): "setStock",
    ("POST", "/v1/admin/orders/{orderId}/ship"): "shipOrder",
    ("POST", "/v1/admin/orders/{orderId}/deliver"): "deliverOrder",
    ("POST", "/v1/carrier/events"): "receiveCarrierEvent",
    ("POST", "/v1/admin/discount-codes"): "createDiscountCode",
    ("GET", "/v1/admin/discount-codes"): "listDiscountCodes",
    ("GET", "/v1/admin/discount-codes/{code}"): "getDiscountCode",
    ("PUT", "/v1/admin/discount-codes/{code}"): "replaceDiscountTerms",
    ("DELETE", "/v1/admin/discount-codes/{code}"): "retireDiscountCode",
}
"""Client generators name methods after these: a change here breaks consumers' code."""

EXAMPLED_WRITES = (
    "signUp",
    "verifyEmail",
    "resetPassword",
    "login",
    "addToCart",
    "checkout",
    "payOrder",
    "createProduct",
    "receiveCarrierEvent",
)
CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
ERROR_MODELS = {f"{SCHEMAS}ErrorBody", f"{SCHEMAS}ValidationErrorBody"}


@pytest.fixture(scope="module")
def app(settings: Settings) -> FastAPI:
    return create_app(with_app_secrets(settings))


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {operation["operationId"]: operation for _, _, operation in operations(document)}


def resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith(SCHEMAS), ref
    return document["components"]["schemas"][ref.removeprefix(SCHEMAS)]


def refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def dependency_calls(route: RouteContext) -> set[Callable[..., Any]]:
    """Every function the route depends on, however deep, its router's included."""
    calls: set[Callable[..., Any]] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        if dependant.call is not None:
            calls.add(dependant.call)
        pending.extend(dependant.dependencies)
    return calls


def api_routes(app: FastAPI) -> list[RouteContext]:
    """The documented routes as served: path prefixes and router dependencies applied."""
    routes = [
        context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and context.include_in_schema
    ]
    assert len(routes) == len(OPERATION_IDS)
    return routes


# operation ids and tags


def test_every_operation_has_its_stable_camel_case_id(document: dict[str, Any]) -> None:
    found = {(method, path): op["operationId"] for method, path, op in operations(document)}
    assert found == OPERATION_IDS
    assert all(CAMEL_CASE.match(operation_id) for operation_id in found.values())
    assert len(set(found.values())) == len(found)


def test_every_operation_has_a_described_tag(document: dict[str, Any]) -> None:
    declared = {tag["name"]: tag.get("description", "") for tag in document["tags"]}
    assert [tag["name"] for tag in TAGS] == list(declared)
    used: set[str] = set()
    for method, path, operation in operations(document):
        assert operation.get("tags"), f"{method} {path} has no tag"
        assert set(operation["tags"]) <= set(declared), f"{method} {path}: undeclared tag"
        used |= set(operation["tags"])
    assert all(declared.values()), "a tag without a description"
    assert used == set(declared), "a declared tag no operation uses"


# errors


def test_every_error_response_is_the_json_error_model(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema["$ref"] in ERROR_MODELS, f"{method} {path} {status}"
            assert response["description"], f"{method} {path} {status}"


def test_every_operation_with_input_documents_the_project_422(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
        responses = operation["responses"]
        assert ("422" in responses) == takes_input, f"{method} {path}"
        if takes_input:
            schema = responses["422"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": f"{SCHEMAS}ValidationErrorBody"}, f"{method} {path}"
    body = resolve(document, f"{SCHEMAS}ValidationErrorBody")
    error = resolve(document, body["properties"]["error"]["$ref"])
    assert {"code", "message", "details"} <= set(error["required"])
    problem = resolve(document, error["properties"]["details"]["items"]["$ref"])
    assert set(problem["required"]) == {"field", "problem"}
    assert not {"HTTPValidationError", "ValidationError"} & set(document["components"]["schemas"])


def test_statuses_follow_the_route_dependencies(app: FastAPI, document: dict[str, Any]) -> None:
    """Signed-in routes document 401 (admin ones 403 too, as does login: an unconfirmed
    address) and a bearer security scheme; rate
    limited routes 429; routes naming a resource in their path 404; every route 503."""
    operations_by_id = by_id(document)
    for route in api_routes(app):
        operation = operations_by_id[route.unique_id]
        documented = set(operation["responses"])
        calls = dependency_calls(route)
        name = route.unique_id
        if current_user in calls:
            assert "401" in documented, name
            assert operation.get("security") == [{"HTTPBearer": []}], name
        if require_admin in calls:
            assert "403" in documented, name
        else:  # a signed-in customer is never refused for lack of a role; only login says 403
            assert ("403" in documented) == (name == "login"), name
        assert (limit_by_ip in calls) and "429" in documented, name
        if "{" in route.path:
            assert "404" in documented, name
        assert "503" in documented, name


def test_waits_are_documented_with_retry_after(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        for status in ("429", "503"):
            assert "Retry-After" in operation["responses"][status]["headers"], f"{method} {path}"


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    for ref in refs(document):
        assert resolve(document, ref), ref


async def test_a_422_answers_the_documented_shape_with_details() -> None:
    """The handlers themselves, on a bare app: a bad field, bad JSON and a body FastAPI cannot
    parse (its 400) all answer ``ValidationErrorBody`` naming the field."""
    app = FastAPI()
    install_error_handlers(app)

    class Body(BaseModel):
        quantity: int

    @app.post("/things")
    async def things(body: Body) -> dict:
        return {}

    @app.post("/unparsable")
    async def unparsable() -> dict:
        raise HTTPException(400, "There was an error parsing the body")

    attempts = [
        ("/things", b'{"quantity": "many"}', "body.quantity"),
        ("/things", b"{not json", "body"),
        ("/unparsable", b"", "body"),
    ]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        for path, content, field in attempts:
            response = await client.post(
                path, content=content, headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 422, path
            error = ValidationErrorBody.model_validate(response.json()).error
            assert error.code == "invalid_request"
            assert error.details[0].field.startswith(field), response.text


# the status stream


def test_the_status_stream_is_documented_as_server_sent_events(document: dict[str, Any]) -> None:
    operation = by_id(document)["streamOrderStatus"]
    content = operation["responses"]["200"]["content"]
    assert list(content) == ["text/event-stream"]
    event = content["text/event-stream"]["schema"]
    assert event["properties"]["event"]["const"] == "status"
    data = event["properties"]["data"]
    assert data["contentMediaType"] == "application/json"
    assert data["contentSchema"] == {"$ref": f"{SCHEMAS}OrderStatusEvent"}


def test_the_documented_event_data_is_what_the_stream_sends() -> None:
    change = StatusChange(
        "8b7c1f00-0000-4000-8000-000000000001", OrderStatus.CONFIRMED, datetime.now(UTC)
    )
    event = OrderStatusEvent.model_validate_json(status_json(change))
    assert event.status is OrderStatus.CONFIRMED


# request examples


def test_the_main_writes_show_an_example_body(document: dict[str, Any]) -> None:
    operations_by_id = by_id(document)
    for operation_id in EXAMPLED_WRITES:
        body = operations_by_id[operation_id]["requestBody"]["content"]["application/json"]
        assert resolve(document, body["schema"]["$ref"]).get("examples"), operation_id


def test_every_body_example_is_a_valid_request(app: FastAPI) -> None:
    for route in api_routes(app):
        if route.body_field is None:
            continue
        model = route.body_field.field_info.annotation
        if not isinstance(model, type) or not issubclass(model, BaseModel):
            continue  # an optional body (``ShipRequest | None``) has none to show
        for example in model.model_json_schema().get("examples", []):
            model.model_validate(example)
