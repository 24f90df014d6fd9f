"""The sold-out lane (``api.sold_out``) on the real engines: it answers exactly what the route
would, reads no session, admits winners at the gate, and leaves everything else to the route."""

import uuid
from decimal import Decimal

import httpx

from adapters.connections import Clients
from adapters.stock_cache import CheckoutGate
from api.rate_limit import window_key
from harness.factories import (
    Shopper,
    create_product,
    create_shopper,
    inventory_of,
    put_in_carts,
)
from harness.flows import assert_refused, checkout, checkout_body

PRICE = Decimal("12.50")


async def sold_out(clients: Clients, shopper: Shopper) -> str:
    """A product in the shopper's cart that the gate already sees as sold out."""
    product_id = await create_product(clients, price=PRICE, stock=0, cached_stock=0)
    await put_in_carts(clients, [shopper], product_id, 1)
    return product_id


async def address_hits(clients: Clients) -> int:
    key = window_key("ip", "127.0.0.1", clients.settings.rate_limit_window_seconds)
    return int(await clients.redis.get(key) or 0)


async def test_a_sold_out_checkout_gets_the_routes_answer_with_its_headers(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product_id = await sold_out(clients, shopper)

    response = await checkout(api, shopper, [(product_id, 1, PRICE)], key="lane-1")

    error = assert_refused(response, 409, "out_of_stock")
    assert error == {
        "code": "out_of_stock",
        "message": f"not enough stock of {product_id}",
        "productId": product_id,
    }
    assert response.headers["X-Request-ID"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_each_checkout_counts_once_against_the_address(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    """Refused in the lane or passed on to the route, a request is one hit of the address."""
    gone = await sold_out(clients, shopper)
    in_stock = await create_product(clients, price=PRICE, stock=5, cached_stock=5)
    await put_in_carts(clients, [shopper], in_stock, 1)

    before = await address_hits(clients)
    refused = await checkout(api, shopper, [(gone, 1, PRICE)], key="lane-counted-1")
    placed = await checkout(api, shopper, [(in_stock, 1, PRICE)], key="lane-counted-2")

    assert (refused.status_code, placed.status_code) == (409, 201), placed.text
    assert await address_hits(clients) - before == 2


async def test_a_signed_out_token_learns_only_what_the_product_page_shows(
    api: httpx.AsyncClient, clients: Clients
) -> None:
    """The lane reads no session: a token signed out of is told a product is sold out (as
    any visitor is) but cannot place anything; the route still refuses it."""
    shopper = await create_shopper(clients)
    gone = await sold_out(clients, shopper)
    in_stock = await create_product(clients, price=PRICE, stock=5, cached_stock=5)
    await put_in_carts(clients, [shopper], in_stock, 1)
    assert (await api.post("/v1/users/logout", headers=shopper.headers)).status_code == 204

    refused = await checkout(api, shopper, [(gone, 1, PRICE)], key="signed-out-1")
    not_placed = await checkout(api, shopper, [(in_stock, 1, PRICE)], key="signed-out-2")

    assert_refused(refused, 409, "out_of_stock")
    assert not_placed.status_code == 401
    # Its admission holds a unit at the gate (not in Postgres) until its deadline.
    assert await CheckoutGate(clients.redis).in_flight(in_stock) == 1
    assert (await inventory_of(clients, in_stock))["available_qty"] == 5


async def test_an_order_admitted_then_refused_by_the_route_gives_its_units_back(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    """The lane admits before the route validates the order; a refusal releases at once."""
    product_id = await create_product(clients, price=PRICE, stock=3, cached_stock=3)
    await put_in_carts(clients, [shopper], product_id, 1)

    stale = await checkout(api, shopper, [(product_id, 1, PRICE + 1)], key="stale-price")

    assert_refused(stale, 409, "price_changed")
    assert await CheckoutGate(clients.redis).in_flight(product_id) == 0


async def test_what_the_route_refuses_is_refused_as_the_route_does(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    """A bad token, a body the route would not read, an overlong key: the route's 401/422,
    never the lane's 409, even for a sold-out product."""
    gone = await sold_out(clients, shopper)
    body = checkout_body(shopper.cart_id, [(gone, 1, PRICE)])
    forged = {"Authorization": "Bearer " + shopper.headers["Authorization"][-20:]}

    bad_token = await api.post("/v1/checkout", json=body, headers=forged)
    zero = await api.post(
        "/v1/checkout",
        json=checkout_body(shopper.cart_id, [(gone, 0, PRICE)]),
        headers=shopper.headers,
    )
    not_json = await api.post(
        "/v1/checkout",
        content=b'{"cartId": "' + str(uuid.uuid4()).encode() + b'", "products": [NaN]}',
        headers=shopper.headers | {"Content-Type": "application/json"},
    )
    long_key = await api.post(
        "/v1/checkout", json=body, headers=shopper.headers | {"Idempotency-Key": "k" * 256}
    )
    text_body = await api.post(
        "/v1/checkout",
        json=body,
        headers=shopper.headers | {"Content-Type": "text/plain"},
    )

    assert bad_token.status_code == 401
    assert [r.status_code for r in (zero, not_json, long_key, text_body)] == [422] * 4
