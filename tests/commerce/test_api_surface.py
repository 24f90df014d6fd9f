"""OpenAPI docs, and JSON error bodies for everything that is not a success."""

import httpx

from harness.flows import assert_refused


async def test_openapi_docs_list_the_commerce_routes(api: httpx.AsyncClient) -> None:
    assert (await api.get("/docs")).status_code == 200
    paths = (await api.get("/openapi.json")).json()["paths"]
    assert {
        "/v1/users/signup",
        "/v1/users/login",
        "/v1/users/me",
        "/v1/cart/add",
        "/v1/cart/update",
        "/v1/cart/remove",
        "/v1/cart",
        "/v1/checkout",
        "/v1/payment",
        "/v1/orders",
        "/v1/orders/{orderId}/status",
        "/v1/admin/orders/{orderId}/ship",
        "/v1/admin/orders/{orderId}/deliver",
    } <= set(paths)


async def test_unknown_route_is_a_json_404(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/nowhere")
    assert_refused(response, 404, "not_found")


async def test_wrong_method_is_a_json_405(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/checkout")
    assert response.status_code == 405
    assert set(response.json()["error"]) == {"code", "message"}


async def test_malformed_json_is_a_json_422(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/v1/users/signup", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_refused(response, 422, "invalid_request")
