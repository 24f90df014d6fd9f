"""Position of the catalog change feed in Postgres (tables of ``050_catalog_feed.sql``).

Saved only after Kafka acknowledged the records it covers: a restart resumes from it and
re-emits at most what was in flight (at-least-once), never skips a change.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from psycopg_pool import AsyncConnectionPool


async def checkpoint(pg: AsyncConnectionPool, source: str) -> datetime | None:
    """The feed clock at the start of the last complete poll; None before the first snapshot."""
    async with pg.connection() as conn:
        cursor = await conn.execute(
            "SELECT read_until FROM catalog_feed_checkpoint WHERE source = %s", (source,)
        )
        row = await cursor.fetchone()
    return None if row is None else row["read_until"]


async def save_checkpoint(pg: AsyncConnectionPool, source: str, read_until: datetime) -> None:
    async with pg.connection() as conn:
        await conn.execute(
            "INSERT INTO catalog_feed_checkpoint (source, read_until) VALUES (%s, %s)"
            " ON CONFLICT (source) DO UPDATE"
            " SET read_until = EXCLUDED.read_until, updated_at = now()",
            (source, read_until),
        )


async def emitted_versions(
    pg: AsyncConnectionPool, source: str, product_ids: Iterable[str]
) -> dict[str, int]:
    async with pg.connection() as conn:
        cursor = await conn.execute(
            "SELECT product_id, version FROM catalog_feed_versions"
            " WHERE source = %s AND product_id = ANY(%s)",
            (source, list(product_ids)),
        )
        return {row["product_id"]: row["version"] for row in await cursor.fetchall()}


async def save_versions(pg: AsyncConnectionPool, source: str, versions: Mapping[str, int]) -> None:
    """Never moves a product's version back (a concurrent older batch cannot undo a newer)."""
    async with pg.connection() as conn:
        await conn.execute(
            "INSERT INTO catalog_feed_versions (source, product_id, version)"
            " SELECT %s, id, v FROM unnest(%s::text[], %s::bigint[]) AS emitted(id, v)"
            " ON CONFLICT (source, product_id) DO UPDATE"
            " SET version = GREATEST(catalog_feed_versions.version, EXCLUDED.version),"
            " emitted_at = now()",
            (source, list(versions), list(versions.values())),
        )
