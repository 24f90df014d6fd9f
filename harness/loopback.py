"""Many HTTP clients on distinct loopback source addresses (127.0.x.y), so per-IP limits see
many shoppers: Linux routes all of 127.0.0.0/8 to the loopback interface."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx

KEEPALIVE_EXPIRY_SECONDS = 2.0
"""Below uvicorn's 5 s: reusing a connection the server is closing is a read error of the
client's own making."""


def address(i: int) -> str:
    """The ``i``-th client address, from 127.0.10.1 on (250 per third octet)."""
    return f"127.0.{10 + i // 250}.{1 + i % 250}"


SHED_ATTEMPTS = 20


class RetryWhenShed(httpx.AsyncBaseTransport):
    """Sends a request again after its ``Retry-After`` when the storefront shed it (503
    ``overloaded``: nothing was done), as a storefront's own client would; the last answer
    after ``SHED_ATTEMPTS`` tries stands."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for _ in range(SHED_ATTEMPTS - 1):
            response = await self.inner.handle_async_request(request)
            if response.status_code != 503:
                return response
            body = await response.aread()
            if b'"overloaded"' not in body:
                return httpx.Response(503, headers=response.headers, content=body)
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@asynccontextmanager
async def clients_by_address(
    base_url: str,
    count: int,
    connections_each: int,
    timeout: float = 60,
    retry_shed: bool = False,
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``count`` fresh clients (no idle keep-alive connections), one per source address;
    with ``retry_shed`` they send a request the storefront shed again (``RetryWhenShed``)."""

    def transport(i: int) -> httpx.AsyncBaseTransport:
        plain = httpx.AsyncHTTPTransport(local_address=address(i))
        return RetryWhenShed(plain) if retry_shed else plain

    async with AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=base_url,
                    transport=transport(i),
                    timeout=timeout,
                    limits=httpx.Limits(
                        max_connections=connections_each,
                        keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS,
                    ),
                )
            )
            for i in range(count)
        ]
