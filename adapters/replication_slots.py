"""Postgres replication slots and the WAL each holds back.

A logical slot (Debezium's) keeps every WAL segment from its restart LSN on until its consumer
confirms it. While the connector is down the slot is inactive and WAL piles up until the disk
fills: the classic Debezium outage, visible here long before.
"""

from dataclasses import asdict, dataclass

from psycopg_pool import AsyncConnectionPool


@dataclass(frozen=True)
class ReplicationSlot:
    name: str
    active: bool  # a consumer (the connector's task) is attached
    retained_bytes: int | None  # WAL kept for the slot; None: the slot reserved none yet
    unconfirmed_bytes: int | None  # WAL its consumer has not confirmed; None: a physical slot

    def as_json(self) -> dict:
        return asdict(self)


async def replication_slots(pg: AsyncConnectionPool) -> list[ReplicationSlot]:
    async with pg.connection() as conn:
        cursor = await conn.execute(
            "SELECT slot_name, active,"
            " pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS retained_bytes,"
            " pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
            " AS unconfirmed_bytes"
            " FROM pg_replication_slots ORDER BY slot_name"
        )
        rows = await cursor.fetchall()
    return [
        ReplicationSlot(
            row["slot_name"], row["active"], row["retained_bytes"], row["unconfirmed_bytes"]
        )
        for row in rows
    ]
