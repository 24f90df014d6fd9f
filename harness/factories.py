"""Test data written straight to the engines, uniquely named so concurrent runs never collide.

Shoppers are inserted in bulk with tokens issued directly: the flash sale needs a thousand of
them, and hashing a thousand passwords would dominate its run time. Signup and login themselves
are tested through the API in test_users_api.py.
"""

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass, field, replace
from decimal import Decimal

from adapters import catalog_store, discount_store, inventory_store
from adapters.catalog_documents import Product, ProductListing
from adapters.connections import Clients
from adapters.product_cache import ProductCache
from adapters.stock_cache import StockMirror
from domain.catalog import CatalogChange
from domain.discounts import DiscountCode, DiscountType
from domain.inventory import StockChange
from harness.accounts import Account, new_accounts
from services.catalog import cache_products

TEST_RUN = uuid.uuid4().hex[:12]
_created_products: list[str] = []
"""This run's catalog documents, taken out of the shared catalog when the run ends."""


@dataclass(frozen=True)
class Shopper(Account):
    cart_id: uuid.UUID = field(default_factory=uuid.uuid4)


def unique_product_id() -> str:
    return f"prod_t{TEST_RUN}_{uuid.uuid4().hex[:12]}"


async def create_product(
    clients: Clients,
    *,
    price: Decimal = Decimal("19.99"),
    stock: int = 100,
    cached_stock: int | None = None,
) -> str:
    """A catalog document (Mongo) plus its inventory row (Postgres); ``cached_stock`` also sets
    the Redis stock mirror at the row's first version, as the stock-sync stream would (a figure
    other than ``stock`` plays a stale or wrong mirror)."""
    product_id = unique_product_id()
    listing = ProductListing(
        product_id=product_id,
        title=f"Test product {product_id}",
        category="Test",
        brand="shopstream tests",
        price=float(price),
    )
    product = Product.listed(listing, dt.datetime.now(dt.UTC))
    await catalog_store.create_product(clients.mongo, product.model_dump())
    _created_products.append(product_id)
    async with clients.pg.connection() as conn:
        await inventory_store.add_levels(conn, {product_id: stock})
    if cached_stock is not None:
        await StockMirror(clients.redis).apply(StockChange(product_id, cached_stock, 1))
    return product_id


def unique_discount_code() -> str:
    return f"T{TEST_RUN}_{uuid.uuid4().hex[:8]}".upper()


async def create_discount_code(
    clients: Clients,
    kind: DiscountType = DiscountType.PERCENTAGE,
    value: Decimal = Decimal("10"),
    **terms: object,
) -> str:
    """A new code (10 % off unless told), as the operator's route creates it; its name."""
    code = DiscountCode(unique_discount_code(), kind, value, "USD")
    async with clients.pg.connection() as conn:
        created = await discount_store.create(conn, replace(code, **terms))
    assert created is not None
    return code.code


async def change_price(clients: Clients, product_id: str, price: float) -> None:
    """What a seller's price update does: the catalog document changes and the product cache
    takes it (as the admin route does)."""
    document = await catalog_store.update_product(clients.mongo, product_id, {"price": price})
    assert document is not None, f"no live product {product_id}"
    change = CatalogChange(product_id, document["version"], document)
    await cache_products(ProductCache(clients.redis), [change])


async def forget_test_products(clients: Clients) -> None:
    """Deletes this run's products from the shared catalog, as an admin would: tombstones
    stay, and the change feed takes them out of search (Postgres rows stay: orders and
    reservations of the run still reference them)."""
    await asyncio.gather(
        *(catalog_store.delete_product(clients.mongo, pid) for pid in _created_products)
    )
    _created_products.clear()


async def create_shoppers(clients: Clients, count: int, role: str = "customer") -> list[Shopper]:
    """``count`` signed-in accounts, each with an empty cart."""
    async with clients.pg.connection() as conn:
        accounts = await new_accounts(conn, clients.settings, count, role)
        shoppers = [Shopper(**vars(account)) for account in accounts]
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO carts (cart_id, user_id) VALUES (%s, %s)",
                [(s.cart_id, s.user_id) for s in shoppers],
            )
    return shoppers


async def create_shopper(clients: Clients, role: str = "customer") -> Shopper:
    return (await create_shoppers(clients, 1, role))[0]


async def put_in_carts(
    clients: Clients, shoppers: list[Shopper], product_id: str, quantity: int
) -> None:
    async with clients.pg.connection() as conn, conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (%s, %s, %s)",
            [(s.cart_id, product_id, quantity) for s in shoppers],
        )


async def sql(clients: Clients, statement: str, *params: object) -> list[dict]:
    """Runs one statement in its own transaction; the rows it returns, if any."""
    async with clients.pg.connection() as conn:
        cur = await conn.execute(statement, params)
        return await cur.fetchall() if cur.description else []


async def inventory_of(clients: Clients, product_id: str) -> dict:
    [row] = await sql(
        clients,
        "SELECT available_qty, reserved_qty, sold_qty, stocked_qty FROM inventory"
        " WHERE product_id = %s",
        product_id,
    )
    return row


PAY_AS_THE_EDGE_DOES = (
    "INSERT INTO payments (payment_id, order_id, user_id, idempotency_key, amount, method,"
    " status) SELECT %(payment_id)s::uuid, o.order_id, o.user_id, %(payment_id)s::text,"
    " o.total_amount,"
    " 'card', %(status)s FROM orders o WHERE o.order_id = %(order_id)s"
    " AND o.status = 'RESERVED' AND NOT EXISTS (SELECT 1 FROM payments p"
    "  WHERE p.order_id = o.order_id AND p.status <> 'FAILED')"
    " RETURNING payment_id::text"
)
"""A payment attempt's row with its outcome, written only where the payment edge would start
one (a RESERVED order without a live attempt): tests that play the payment edge."""


async def record_payment(clients: Clients, order_id: str, status: str) -> str | None:
    """The payment's id, or None where the payment edge would have refused to start one."""
    params = {"payment_id": str(uuid.uuid4()), "order_id": order_id, "status": status}
    async with clients.pg.connection() as conn:
        row = await (await conn.execute(PAY_AS_THE_EDGE_DOES, params)).fetchone()
    return None if row is None else row["payment_id"]


async def confirm_address(clients: Clients, email: str) -> None:
    """What following the mailed confirmation link does, without the mail: for tests of what
    comes after signing up (tests/security/test_account_mail.py follows the mail itself)."""
    await sql(clients, "UPDATE users SET email_verified_at = now() WHERE email = %s", email.lower())
