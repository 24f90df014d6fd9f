"""One Postgres transaction and the stores that write in it: the handlers' unit of work.

``async with PostgresUnitOfWork(pool) as uow:`` takes a pooled connection, opens a
transaction, and commits it when the block ends normally (rolls back when it raises). The
stores share that connection, so everything a handler writes lands together or not at all.
"""

from contextlib import AsyncExitStack
from typing import Self

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from adapters.account_mail import AccountMailStore
from adapters.account_tokens import AccountTokenStore
from adapters.notices import NoticeStore
from adapters.refunds import RefundStore
from adapters.settlement_store import SettlementStore
from adapters.status_history import StatusHistoryStore


class PostgresUnitOfWork:
    conn: AsyncConnection
    settlement: SettlementStore
    history: StatusHistoryStore
    notices: NoticeStore
    refunds: RefundStore
    account_tokens: AccountTokenStore
    account_mail: AccountMailStore

    def __init__(self, pg: AsyncConnectionPool) -> None:
        self._pg = pg
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> Self:
        self.conn = await self._stack.enter_async_context(self._pg.connection())
        await self._stack.enter_async_context(self.conn.transaction())
        self.settlement = SettlementStore(self.conn)
        self.history = StatusHistoryStore(self.conn)
        self.notices = NoticeStore(self.conn)
        self.refunds = RefundStore(self.conn)
        self.account_tokens = AccountTokenStore(self.conn)
        self.account_mail = AccountMailStore(self.conn)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.__aexit__(*exc)  # type: ignore[arg-type]
