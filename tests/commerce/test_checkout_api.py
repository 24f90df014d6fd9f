"""Checkout on the real engines: validation, the Redis gate, the Postgres reservation."""

import asyncio
import datetime as dt
import uuid
from decimal import Decimal

import httpx
import pytest

from adapters import inventory_store
from adapters.catalog_store import delete_product
from adapters.connections import Clients
from adapters.stock_cache import CheckoutGate, StockMirror
from domain.checkout import order_id_for
from harness.factories import (
    Shopper,
    change_price,
    create_product,
    inventory_of,
    put_in_carts,
    sql,
)
from harness.flows import assert_refused, checkout

PRICE = Decimal("249.90")


async def stocked_cart(clients: Clients, shopper: Shopper, qty: int = 2, **product: object) -> str:
    product_id = await create_product(clients, price=PRICE, **product)
    await put_in_carts(clients, [shopper], product_id, qty)
    return product_id


async def order_row(clients: Clients, order_id: str) -> dict | None:
    rows = await sql(clients, "SELECT * FROM orders WHERE order_id = %s", order_id)
    return rows[0] if rows else None


async def holds_of(clients: Clients, order_id: str) -> list[dict]:
    return await sql(
        clients,
        "SELECT product_id, quantity, status, expires_at - created_at AS ttl"
        " FROM reservations WHERE order_id = %s ORDER BY product_id",
        order_id,
    )


async def test_checkout_reserves_stock_creates_order_and_empties_bought_lines(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    phone = await stocked_cart(clients, shopper, qty=2, stock=10)
    case = await stocked_cart(clients, shopper, qty=1, stock=10)
    kept = await stocked_cart(clients, shopper, qty=1, stock=10)

    response = await checkout(api, shopper, [(phone, 2, PRICE), (case, 1, PRICE)])

    assert response.status_code == 201, response.text
    order_id = response.json()["orderId"]
    order = await order_row(clients, order_id)
    assert order["status"] == "RESERVED"
    assert order["user_id"] == shopper.user_id
    assert order["total_amount"] == Decimal("749.70")
    assert sorted(order["products"], key=lambda p: p["productId"]) == sorted(
        [
            {"productId": phone, "quantity": 2, "price": 249.9},
            {"productId": case, "quantity": 1, "price": 249.9},
        ],
        key=lambda p: p["productId"],
    )
    holds = await holds_of(clients, order_id)
    assert {(h["product_id"], h["quantity"], h["status"]) for h in holds} == {
        (phone, 2, "HELD"),
        (case, 1, "HELD"),
    }
    assert all(
        h["ttl"] == dt.timedelta(seconds=clients.settings.reservation_ttl_seconds) for h in holds
    )
    assert await inventory_of(clients, phone) == {
        "available_qty": 8,
        "reserved_qty": 2,
        "sold_qty": 0,
        "stocked_qty": 10,
    }
    cart = (await api.get("/v1/cart", headers=shopper.headers)).json()
    assert [line["productId"] for line in cart["lines"]] == [kept]


async def test_same_idempotency_key_returns_the_same_order_once(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await stocked_cart(clients, shopper, qty=1, stock=5)
    key = uuid.uuid4().hex
    first = await checkout(api, shopper, [(product, 1, PRICE)], key=key)
    retry = await checkout(api, shopper, [(product, 1, PRICE)], key=key)

    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json()
    assert (await inventory_of(clients, product))["reserved_qty"] == 1


async def test_concurrent_retries_of_one_checkout_reserve_once(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await stocked_cart(clients, shopper, qty=1, stock=5, cached_stock=5)
    key = uuid.uuid4().hex
    responses = await asyncio.gather(
        *(checkout(api, shopper, [(product, 1, PRICE)], key=key) for _ in range(8))
    )

    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["orderId"] for r in responses}) == 1
    assert (await inventory_of(clients, product))["reserved_qty"] == 1


async def test_delivery_address_is_copied_onto_the_order(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await stocked_cart(clients, shopper, qty=1)
    address = {
        "recipient": "Ada",
        "line1": "1 Main St",
        "city": "Oslo",
        "postalCode": "0150",
        "country": "NO",
    }
    created = await api.post("/v1/users/me/addresses", json=address, headers=shopper.headers)
    address_id = created.json()["addressId"]

    response = await checkout(api, shopper, [(product, 1, PRICE)], addressId=address_id)

    assert response.status_code == 201
    order = await order_row(clients, response.json()["orderId"])
    assert order["delivery_address"]["addressId"] == address_id
    assert order["delivery_address"]["city"] == "Oslo"


async def test_unknown_address_is_404(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await stocked_cart(clients, shopper, qty=1)
    response = await checkout(api, shopper, [(product, 1, PRICE)], addressId=str(uuid.uuid4()))
    assert_refused(response, 404, "address_not_found")


async def test_someone_elses_cart_is_404(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, other_shopper: Shopper
) -> None:
    product = await stocked_cart(clients, other_shopper, qty=1)
    response = await checkout(api, shopper, [(product, 1, PRICE)], cart_id=other_shopper.cart_id)
    assert_refused(response, 404, "cart_not_found")


async def test_a_changed_price_is_409_naming_the_product(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await stocked_cart(clients, shopper, qty=1)
    await change_price(clients, product, 279.0)

    response = await checkout(api, shopper, [(product, 1, PRICE)])

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "price_changed",
        "message": f"the price of {product} is now 279.00",
        "productId": product,
        "livePrice": 279.0,
    }
    assert (await inventory_of(clients, product))["reserved_qty"] == 0


async def test_a_quantity_the_cart_does_not_hold_is_409(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await stocked_cart(clients, shopper, qty=1)
    response = await checkout(api, shopper, [(product, 3, PRICE)])
    assert_refused(response, 409, "cart_changed")


async def test_a_product_gone_from_the_catalog_is_404(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    product = await stocked_cart(clients, shopper, qty=1)
    await delete_product(clients.mongo, product)
    response = await checkout(api, shopper, [(product, 1, PRICE)])
    assert_refused(response, 404, "product_not_found")


async def test_postgres_refuses_what_it_does_not_have_and_the_gate_gets_its_units_back(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    """Redis says 10 (stale), Postgres has 1: the order fails in Postgres and the gate stops
    counting its admission at once, so a retry is judged afresh."""
    plenty = await stocked_cart(clients, shopper, qty=1, stock=50, cached_stock=50)
    scarce = await stocked_cart(clients, shopper, qty=2, stock=1, cached_stock=10)
    key = uuid.uuid4().hex

    response = await checkout(api, shopper, [(plenty, 1, PRICE), (scarce, 2, PRICE)], key=key)

    assert_refused(response, 409, "out_of_stock")
    assert response.json()["error"]["productId"] == scarce
    mirror, gate = StockMirror(clients.redis), CheckoutGate(clients.redis)
    assert await mirror.read([scarce, plenty]) == {scarce: 10, plenty: 50}
    assert (await gate.in_flight(scarce), await gate.in_flight(plenty)) == (0, 0)
    assert await inventory_of(clients, plenty) == {
        "available_qty": 50,
        "reserved_qty": 0,
        "sold_qty": 0,
        "stocked_qty": 50,
    }
    assert await order_row(clients, str(order_id_for(shopper.user_id, key))) is None


async def test_the_gate_sheds_when_the_cache_says_sold_out(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper
) -> None:
    """The gate may only say no early: here Postgres still has stock, Redis says 0."""
    product = await stocked_cart(clients, shopper, qty=1, stock=3, cached_stock=0)
    response = await checkout(api, shopper, [(product, 1, PRICE)])
    assert response.status_code == 409
    assert response.json()["error"]["productId"] == product
    assert (await inventory_of(clients, product))["available_qty"] == 3


async def test_a_reservation_counts_at_the_gate_until_the_mirror_shows_it(
    api: httpx.AsyncClient, clients: Clients, shopper: Shopper, other_shopper: Shopper
) -> None:
    """The checkout never writes the mirror (stock sync does); its units count as in flight
    until the mirror reaches the row version its reservation produced."""
    product = await stocked_cart(clients, shopper, qty=2, stock=7, cached_stock=7)
    await put_in_carts(clients, [other_shopper], product, 6)
    mirror, gate = StockMirror(clients.redis), CheckoutGate(clients.redis)

    assert (await checkout(api, shopper, [(product, 2, PRICE)])).status_code == 201
    assert (await mirror.read([product]), await gate.in_flight(product)) == ({product: 7}, 2)
    shed = await checkout(api, other_shopper, [(product, 6, PRICE)])
    assert_refused(shed, 409, "out_of_stock")
    assert (await inventory_of(clients, product))["available_qty"] == 5, "shed in Redis"

    async with clients.pg.connection() as conn:  # what stock sync does with the CDC record
        [level] = await inventory_store.levels(conn, product_ids=[product])
    await mirror.apply(level.change)
    assert (await mirror.read([product]), await gate.in_flight(product)) == ({product: 5}, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"products": [{"productId": "prod_1", "quantity": 1, "price": 1}]},
        {"cartId": "not-a-uuid", "products": [{"productId": "prod_1", "quantity": 1, "price": 1}]},
        {"cartId": str(uuid.uuid4()), "products": []},
        {
            "cartId": str(uuid.uuid4()),
            "products": [{"productId": "prod_1", "quantity": -2, "price": 1}],
        },
        {
            "cartId": str(uuid.uuid4()),
            "products": [{"productId": "prod_1", "quantity": 1, "price": -1}],
        },
        {
            "cartId": str(uuid.uuid4()),
            "products": [{"productId": "prod_1", "quantity": 1, "price": 1.001}],
        },
        {"cartId": str(uuid.uuid4()), "products": [{"productId": "prod_1", "quantity": 1}]},
        {
            "cartId": str(uuid.uuid4()),
            "products": [
                {"productId": "prod_1", "quantity": 1, "price": 1},
                {"productId": "prod_1", "quantity": 2, "price": 1},
            ],
        },
    ],
)
async def test_bad_checkouts_are_422(api: httpx.AsyncClient, shopper: Shopper, body: dict) -> None:
    response = await api.post("/v1/checkout", json=body, headers=shopper.headers)
    assert_refused(response, 422, "invalid_request")
