"""Hostile input is a 4xx with the JSON error body, never a 5xx: non-finite numbers, NUL
characters, operator-shaped keys, tokens of accounts that no longer exist."""

import json
import re
from urllib.parse import quote

import httpx
import pytest

from adapters.connections import Clients
from harness.factories import Shopper, create_shopper, sql
from harness.flows import assert_refused

pytestmark = pytest.mark.engines

NON_FINITE = ["1e999", "-1e999", "inf", "Infinity", "-inf", "nan", "NaN"]


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("field", ["minPrice", "maxPrice", "minRating"])
async def test_non_finite_search_bounds_are_refused(
    api: httpx.AsyncClient, field: str, value: str
) -> None:
    response = await api.get("/v1/products/search", params={"term": "phone", field: value})
    assert_refused(response, 422, "invalid_request")


async def test_non_finite_json_numbers_are_refused(
    api: httpx.AsyncClient, shopper: Shopper
) -> None:
    for token in ("NaN", "Infinity", "-Infinity", "1e999"):
        line = {"productId": "prod_1", "quantity": 1, "price": "PRICE"}
        body = json.dumps({"cartId": str(shopper.cart_id), "products": [line]})
        body = body.replace('"PRICE"', token)
        response = await api.post(
            "/v1/checkout",
            content=body,
            headers={**shopper.headers, "Content-Type": "application/json"},
        )
        assert_refused(response, 422, "invalid_request")


@pytest.mark.parametrize("where", ["name", "email"])
async def test_nul_in_signup_is_refused(api: httpx.AsyncClient, where: str) -> None:
    body = {"name": "Ada", "email": "ada-nul@example.com", "password": "correct horse battery"}
    body[where] = body[where].replace("a", "a\u0000", 1)
    assert_refused(await api.post("/v1/users/signup", json=body), 422, "invalid_request")


async def test_nul_in_an_address_is_refused(api: httpx.AsyncClient, shopper: Shopper) -> None:
    address = {
        "recipient": "Ada\u0000",
        "line1": "1 Main St",
        "city": "Springfield",
        "postalCode": "12345",
        "country": "US",
    }
    response = await api.post("/v1/users/me/addresses", json=address, headers=shopper.headers)
    assert_refused(response, 422, "invalid_request")


async def test_nul_in_a_query_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/products/search", params={"term": "pho\u0000ne"})
    assert_refused(response, 422, "invalid_request")


HOSTILE_PATH_VALUES = ["\u0000", "prod\u00001", '{"$ne":null}', "$where", "a.b", "x" * 5000]


@pytest.mark.parametrize(
    "value", HOSTILE_PATH_VALUES, ids=["nul", "inner-nul", "operator", "dollar", "dotted", "long"]
)
async def test_hostile_path_parameters_are_a_json_4xx_on_every_route(
    api: httpx.AsyncClient, clients: Clients, value: str
) -> None:
    """Every route with a path parameter, as an operator (so no route stops at the role check)
    and with a valid body where one is easy to have (so most do not stop at the body): a NUL
    in a product id reached Postgres and was a 500."""
    admin = await create_shopper(clients, role="admin")
    spec = (await api.get("/openapi.json")).json()
    for template, operations in spec["paths"].items():
        if "{" not in template:
            continue
        url = re.sub(r"\{[^}]+\}", quote(value, safe=""), template)
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if content and "application/json" not in content:
                continue  # the upload: multipart, refused the same way by the same path type
            body = example_body(spec, content["application/json"]) if content else None
            response = await api.request(method, url, json=body, headers=admin.headers)
            assert 400 <= response.status_code < 500, (method, template, response.text[:200])
            assert response.json()["error"]["code"], (method, template)


def example_body(spec: dict, media: dict) -> dict | None:
    """A JSON request body that passes validation where one is easy to have: the schema's
    first example, else ``{}`` (every field optional), else none (an optional body)."""
    schema = media["schema"]
    if "$ref" not in schema:
        return None
    return spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]].get("examples", [{}])[0]


@pytest.mark.parametrize(
    "specifications",
    [{"$where": "1"}, {"$set": {"x": 1}}, {"a.b": "dotted"}, {"": "empty"}, {"k\u0000": "v"}],
    ids=["dollar", "operator-object", "dotted", "empty", "nul"],
)
async def test_operator_shaped_specification_keys_are_refused(
    api: httpx.AsyncClient, clients: Clients, specifications: dict
) -> None:
    admin = await create_shopper(clients, role="admin")
    listing = {
        "productId": "prod_hostile_spec",
        "title": "Hostile",
        "category": "Test",
        "brand": "Test",
        "price": 1,
        "specifications": specifications,
    }
    response = await api.post("/v1/admin/products", json=listing, headers=admin.headers)
    assert_refused(response, 422, "invalid_request")


async def test_a_token_of_a_deleted_account_is_refused_everywhere(
    api: httpx.AsyncClient, clients: Clients
) -> None:
    gone = await create_shopper(clients)
    await sql(clients, "DELETE FROM carts WHERE user_id = %s", gone.user_id)
    await sql(clients, "DELETE FROM users WHERE user_id = %s", gone.user_id)
    for method, path, body in [
        ("POST", "/v1/cart/add", {"productId": "prod_1", "quantity": 1}),
        ("GET", "/v1/cart", None),
        ("GET", "/v1/orders", None),
        ("GET", "/v1/users/me", None),
    ]:
        response = await api.request(method, path, json=body, headers=gone.headers)
        assert_refused(response, 401, "unauthorized")
