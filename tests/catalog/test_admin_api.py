"""Admin catalog and stock endpoints: Mongo and Postgres writes, role checks, bad input.

Catalog writes carry the change feed's stamps (``adapters.catalog_store``): a version that
grows with every change, and soft deletes.
"""

import uuid
from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from adapters import catalog_store, inventory_store
from adapters.catalog_collection import PRODUCTS
from config import Settings
from domain.inventory import StockChange, net_moves, reserve, sell
from ops.polling import eventually
from tests.catalog.conftest import ID_PREFIX


def new_listing() -> dict:
    return {
        "productId": f"{ID_PREFIX}adm_{uuid.uuid4().hex[:8]}",
        "title": "Acme Cordless Drill 20V",
        "description": "Drives screws all day.",
        "category": "Tools",
        "brand": "Acme",
        "price": 79.99,
        "images": ["https://cdn.shopstream.example/acme/drill.jpg"],
        "thumbnail": "https://cdn.shopstream.example/acme/drill-thumb.jpg",
        "specifications": {"voltage": "20V", "cordless": True},
    }


@pytest.fixture
async def listed(api: httpx.AsyncClient, admin_headers: dict) -> dict:
    listing = new_listing()
    response = await api.post("/v1/admin/products", json=listing, headers=admin_headers)
    assert response.status_code == 201, response.text
    return listing


@pytest.fixture
async def store(engines: Settings) -> AsyncIterator[AsyncDatabase]:
    """This run's catalog database, to read documents as stored (tombstones included)."""
    async with AsyncMongoClient(engines.mongo_url, tz_aware=True) as mongo:
        yield mongo[engines.mongo_db]


async def stored(store: AsyncDatabase, product_id: str) -> dict:
    document = await store[PRODUCTS].find_one({"productId": product_id})
    assert document is not None, product_id
    return document


def inventory_row(settings: Settings, product_id: str) -> tuple[int, int, int, int]:
    with psycopg.connect(settings.postgres_dsn) as pg:
        return pg.execute(
            "SELECT available_qty, reserved_qty, sold_qty, stocked_qty"
            " FROM inventory WHERE product_id = %s",
            (product_id,),
        ).fetchone()


async def test_created_product_is_served_without_stock(
    api: httpx.AsyncClient, listed: dict
) -> None:
    body = (await api.get(f"/v1/products/{listed['productId']}")).json()
    assert body["title"] == listed["title"]
    assert body["specifications"] == {"voltage": "20V", "cordless": True}
    assert (body["availableQty"], body["reviews"], body["rating"]) == (0, [], 0.0)


async def test_duplicate_product_is_409(
    api: httpx.AsyncClient, listed: dict, admin_headers: dict
) -> None:
    response = await api.post("/v1/admin/products", json=listed, headers=admin_headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "product_exists"


async def test_created_product_carries_the_feed_stamps(listed: dict, store: AsyncDatabase) -> None:
    document = await stored(store, listed["productId"])
    assert (document["version"], document["deleted"]) == (1, False)
    assert isinstance(document["changeBucket"], int)


async def test_partial_update_changes_only_what_is_sent(
    api: httpx.AsyncClient, listed: dict, admin_headers: dict, store: AsyncDatabase
) -> None:
    url = f"/v1/admin/products/{listed['productId']}"
    before = (await api.put(url, json={"description": "v2"}, headers=admin_headers)).json()
    response = await api.put(url, json={"price": 69.5}, headers=admin_headers)
    assert response.status_code == 200, response.text
    after = response.json()
    assert (after["price"], after["description"], after["title"]) == (69.5, "v2", listed["title"])
    assert after["updatedAt"] > before["updatedAt"]
    assert after["createdAt"] == before["createdAt"]
    assert (await api.get(f"/v1/products/{listed['productId']}")).json()["price"] == 69.5
    assert (await stored(store, listed["productId"]))["version"] == 3


async def test_delete_is_soft_and_hides_the_product(
    api: httpx.AsyncClient, listed: dict, admin_headers: dict, store: AsyncDatabase
) -> None:
    pid = listed["productId"]
    url = f"/v1/admin/products/{pid}"
    assert (await api.delete(url, headers=admin_headers)).status_code == 204
    tombstone = await stored(store, pid)
    assert (tombstone["deleted"], tombstone["version"]) == (True, 2), "kept, at a new version"
    assert tombstone["title"] == listed["title"]
    assert (await api.get(f"/v1/products/{pid}")).status_code == 404
    assert (await api.delete(url, headers=admin_headers)).status_code == 404
    assert (await api.put(url, json={"price": 1}, headers=admin_headers)).status_code == 404
    stock_url = f"/v1/admin/inventory/{pid}"
    stock = await api.put(stock_url, json={"availableQty": 1}, headers=admin_headers)
    assert stock.status_code == 404
    assert (await stored(store, pid))["version"] == 2, "writes to a tombstone change nothing"


async def test_listing_a_deleted_product_again_revives_it(
    api: httpx.AsyncClient, listed: dict, admin_headers: dict, store: AsyncDatabase
) -> None:
    pid = listed["productId"]
    assert (await api.delete(f"/v1/admin/products/{pid}", headers=admin_headers)).status_code == 204
    # Stock sync keeps mirroring Postgres stock into the tombstone (a delete keeps the row).
    assert await catalog_store.set_quantity(store, StockChange(pid, 7, 1))
    relisted = {**listed, "title": "Acme Cordless Drill 20V (relisted)"}

    response = await api.post("/v1/admin/products", json=relisted, headers=admin_headers)

    assert response.status_code == 201, response.text
    assert response.json()["title"] == relisted["title"]
    revived = await stored(store, pid)
    assert (revived["deleted"], revived["version"]) == (False, 4), "newer than the tombstone"
    assert revived["quantity"] == 7, "the mirrored stock survives the relisting"
    assert (await api.get(f"/v1/products/{pid}")).json()["title"] == relisted["title"]


async def test_setting_stock_creates_then_adjusts_conserved_inventory(
    api: httpx.AsyncClient, listed: dict, admin_headers: dict, engines: Settings
) -> None:
    pid = listed["productId"]
    url = f"/v1/admin/inventory/{pid}"
    created = await api.put(url, json={"availableQty": 10}, headers=admin_headers)
    assert created.status_code == 200, created.text
    assert created.json() == {
        "productId": pid,
        "availableQty": 10,
        "reservedQty": 0,
        "soldQty": 0,
        "stockedQty": 10,
    }
    with psycopg.connect(engines.postgres_dsn) as pg:  # a checkout holds 2, 1 is sold
        [checkout] = net_moves([reserve(pid, 3), sell(pid, 1)])
        pg.execute(inventory_store.MOVE, inventory_store.move_params(checkout))
    lowered = (await api.put(url, json={"availableQty": 3}, headers=admin_headers)).json()
    assert (lowered["availableQty"], lowered["stockedQty"]) == (3, 6)
    assert inventory_row(engines, pid) == (3, 2, 1, 6), "stocked = available + reserved + sold"

    async def shown() -> int:  # the stock-sync agent refreshes the cached count via CDC
        return (await api.get(f"/v1/products/{pid}")).json()["availableQty"]

    assert await eventually(shown, 3) == 3


async def test_stock_of_an_unknown_product_is_404(
    api: httpx.AsyncClient, admin_headers: dict
) -> None:
    response = await api.put(
        f"/v1/admin/inventory/{ID_PREFIX}nope", json={"availableQty": 1}, headers=admin_headers
    )
    assert response.status_code == 404


async def test_unknown_product_update_is_404(api: httpx.AsyncClient, admin_headers: dict) -> None:
    response = await api.put(
        f"/v1/admin/products/{ID_PREFIX}nope", json={"price": 1}, headers=admin_headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "product_not_found"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/v1/admin/inventory/{pid}", {"availableQty": -1}),
        ("PUT", "/v1/admin/inventory/{pid}", {}),
        ("PUT", "/v1/admin/products/{pid}", {}),
        ("PUT", "/v1/admin/products/{pid}", {"price": -5}),
        ("PUT", "/v1/admin/products/{pid}", {"quantity": 5}),
        ("POST", "/v1/admin/products", {"productId": "x y", "title": "t"}),
    ],
)
async def test_bad_input_is_422_json(
    api: httpx.AsyncClient, listed: dict, admin_headers: dict, method: str, path: str, body: dict
) -> None:
    url = path.format(pid=listed["productId"])
    response = await api.request(method, url, json=body, headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


ADMIN_CALLS = [
    ("POST", "/v1/admin/products", new_listing()),
    ("PUT", f"/v1/admin/products/{ID_PREFIX}000001", {"price": 1}),
    ("DELETE", f"/v1/admin/products/{ID_PREFIX}000001", None),
    ("PUT", f"/v1/admin/inventory/{ID_PREFIX}000001", {"availableQty": 1}),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
async def test_customers_are_403(
    api: httpx.AsyncClient, customer_headers: dict, method: str, path: str, body: dict | None
) -> None:
    response = await api.request(method, path, json=body, headers=customer_headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
async def test_anonymous_is_401(
    api: httpx.AsyncClient, method: str, path: str, body: dict | None
) -> None:
    response = await api.request(method, path, json=body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
