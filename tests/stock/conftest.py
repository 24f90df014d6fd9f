"""Fixtures of the stock tests: real Redis under a key prefix of each test's own."""

import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from adapters.migrations import apply_migrations
from config import Settings


@pytest.fixture
def key_prefix() -> str:
    return f"stocktest-{uuid.uuid4().hex[:8]}:"


@pytest.fixture
async def redis(
    settings: Settings, require_engine: Callable[[str], None], key_prefix: str
) -> AsyncIterator[Redis]:
    """The stack's Redis; every key the test wrote under its prefix is removed afterwards."""
    require_engine("redis")
    client = Redis.from_url(settings.redis_url, decode_responses=True)
    try:
        yield client
    finally:
        if keys := [key async for key in client.scan_iter(match=f"{key_prefix}*")]:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture
async def pg(
    settings: Settings, require_engine: Callable[[str], None]
) -> AsyncIterator[AsyncConnectionPool]:
    """A pool on the stack's Postgres, migrated; rows the test made are left to their prefix."""
    require_engine("postgres")
    apply_migrations(settings)
    pool = AsyncConnectionPool(
        settings.postgres_dsn, min_size=1, max_size=20, kwargs={"row_factory": dict_row}, open=False
    )
    await pool.open(wait=True)
    try:
        yield pool
    finally:
        await pool.close()


async def new_order(conn: AsyncConnection, user_id: uuid.UUID | None = None) -> uuid.UUID:
    """An order row (of a new customer unless ``user_id``) for holds to belong to."""
    if user_id is None:
        user_id = uuid.uuid4()
        await conn.execute(
            "INSERT INTO users (user_id, name, email, password_hash) VALUES (%s, 's', %s, 'x')",
            (user_id, f"{user_id}@stock.test"),
        )
    order_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO orders (order_id, user_id, products, total_amount, status)"
        " VALUES (%s, %s, '[]', 0, 'RESERVED')",
        (order_id, user_id),
    )
    return order_id
