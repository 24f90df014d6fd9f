"""Many HTTP clients on distinct loopback source addresses (127.0.x.y), so per-IP limits see
many shoppers: Linux routes all of 127.0.0.0/8 to the loopback interface."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx

KEEPALIVE_EXPIRY_SECONDS = 2.0
"""Below uvicorn's 5 s: reusing a connection the server is closing is a read error of the
client's own making."""


def address(i: int) -> str:
    """The ``i``-th client address, from 127.0.10.1 on (250 per third octet)."""
    return f"127.0.{10 + i // 250}.{1 + i % 250}"


@asynccontextmanager
async def clients_by_address(
    base_url: str, count: int, connections_each: int, timeout: float = 60
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``count`` fresh clients (no idle keep-alive connections), one per source address."""
    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=base_url,
                    transport=httpx.AsyncHTTPTransport(local_address=address(i)),
                    timeout=timeout,
                    limits=httpx.Limits(
                        max_connections=connections_each,
                        keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS,
                    ),
                )
            )
            for i in range(count)
        ]
