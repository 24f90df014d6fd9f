"""Cart endpoints against Postgres (lines) and Mongo (live prices)."""

from decimal import Decimal

import httpx
import pytest

from adapters.catalog_store import delete_product
from adapters.connections import Clients
from harness.factories import Shopper, change_price, create_product, unique_product_id
from harness.flows import assert_refused


async def add(api: httpx.AsyncClient, shopper: Shopper, product: str, qty: int) -> httpx.Response:
    body = {"productId": product, "quantity": qty}
    return await api.post("/v1/cart/add", json=body, headers=shopper.headers)


async def cart_of(api: httpx.AsyncClient, shopper: Shopper) -> dict:
    response = await api.get("/v1/cart", headers=shopper.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_add_creates_the_line_then_adds_to_it(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await create_product(clients, price=Decimal("10.50"))
    first = await add(api, shopper, product, 2)
    second = await add(api, shopper, product, 3)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"cartId": str(shopper.cart_id)}
    cart = await cart_of(api, shopper)
    assert cart["lines"] == [
        {
            "productId": product,
            "quantity": 5,
            "title": f"Test product {product}",
            "price": 10.5,
            "currency": "USD",
            "lineTotal": 52.5,
            "available": True,
        }
    ]
    assert (cart["total"], cart["currency"]) == (52.5, "USD")


async def test_cart_shows_the_live_price_not_the_price_at_adding(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    cheap = await create_product(clients, price=Decimal("100.00"))
    gone = await create_product(clients, price=Decimal("5.00"))
    await add(api, shopper, cheap, 1)
    await add(api, shopper, gone, 2)

    await change_price(clients, cheap, 90.0)
    await delete_product(clients.mongo, gone)

    cart = await cart_of(api, shopper)
    lines = {line["productId"]: line for line in cart["lines"]}
    assert lines[cheap]["price"] == 90.0
    assert lines[gone]["available"] is False and lines[gone]["price"] is None
    assert cart["total"] == 90.0


async def test_a_new_user_gets_an_empty_cart(api: httpx.AsyncClient, shopper: Shopper) -> None:
    cart = await cart_of(api, shopper)
    assert cart == {
        "cartId": str(shopper.cart_id),
        "lines": [],
        "subtotal": 0.0,
        "discount": None,
        "total": 0.0,
        "currency": "USD",
    }


async def test_update_sets_the_quantity_and_zero_removes(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await create_product(clients)
    await add(api, shopper, product, 4)

    set_to_one = {"productId": product, "quantity": 1}
    response = await api.put("/v1/cart/update", json=set_to_one, headers=shopper.headers)
    assert response.status_code == 200
    assert (await cart_of(api, shopper))["lines"][0]["quantity"] == 1

    set_to_zero = {"productId": product, "quantity": 0}
    response = await api.put("/v1/cart/update", json=set_to_zero, headers=shopper.headers)
    assert response.status_code == 200
    assert (await cart_of(api, shopper))["lines"] == []


async def test_remove_takes_the_product_id_as_query_parameter_and_is_idempotent(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await create_product(clients)
    await add(api, shopper, product, 1)
    for _ in range(2):
        response = await api.delete(
            "/v1/cart/remove", params={"productId": product}, headers=shopper.headers
        )
        assert response.status_code == 200
        assert response.json() == {"cartId": str(shopper.cart_id)}
    assert (await cart_of(api, shopper))["lines"] == []


async def test_adding_an_unknown_product_is_404(api: httpx.AsyncClient, shopper: Shopper) -> None:
    response = await add(api, shopper, unique_product_id(), 1)
    assert_refused(response, 404, "product_not_found")


async def test_adding_a_deleted_product_is_404(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await create_product(clients)
    assert await delete_product(clients.mongo, product)  # soft: the tombstone stays
    response = await add(api, shopper, product, 1)
    assert_refused(response, 404, "product_not_found")
    assert (await cart_of(api, shopper))["lines"] == []


async def test_updating_a_product_not_in_the_cart_is_404(
    api: httpx.AsyncClient, shopper: Shopper
) -> None:
    body = {"productId": unique_product_id(), "quantity": 2}
    response = await api.put("/v1/cart/update", json=body, headers=shopper.headers)
    assert_refused(response, 404, "not_in_cart")


async def test_a_line_holds_at_most_100_units(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await create_product(clients)
    assert (await add(api, shopper, product, 60)).status_code == 200
    response = await add(api, shopper, product, 41)
    assert_refused(response, 409, "line_quantity_limit")
    assert (await cart_of(api, shopper))["lines"][0]["quantity"] == 60


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/cart/add", {"productId": "prod_1", "quantity": -1}),
        ("POST", "/v1/cart/add", {"productId": "prod_1", "quantity": 0}),
        ("POST", "/v1/cart/add", {"productId": "prod_1", "quantity": 101}),
        ("POST", "/v1/cart/add", {"productId": "prod_1"}),
        ("POST", "/v1/cart/add", {"quantity": 1}),
        ("POST", "/v1/cart/add", {"productId": "../etc", "quantity": 1}),
        ("POST", "/v1/cart/add", {"productId": "prod_1", "quantity": 1, "price": 1}),
        ("PUT", "/v1/cart/update", {"productId": "prod_1", "quantity": -3}),
        ("PUT", "/v1/cart/update", {"productId": "prod_1", "quantity": "many"}),
    ],
)
async def test_bad_cart_requests_are_422_json(
    api: httpx.AsyncClient, shopper: Shopper, method: str, path: str, body: dict
) -> None:
    response = await api.request(method, path, json=body, headers=shopper.headers)
    assert_refused(response, 422, "invalid_request")


async def test_remove_without_product_id_is_422(api: httpx.AsyncClient, shopper: Shopper) -> None:
    response = await api.delete("/v1/cart/remove", headers=shopper.headers)
    assert response.status_code == 422


async def test_the_cart_needs_a_token(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/cart")
    assert_refused(response, 401, "unauthorized")
