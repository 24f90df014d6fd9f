"""The storefront app served in-process (lifespan included) to an httpx client."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from api.app import create_app
from config import Settings


@asynccontextmanager
async def in_process_api(
    settings: Settings, client_ip: str = "127.0.0.1"
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """``client_ip`` is the peer address the app sees, for tests of per-IP limits."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client,
    ):
        yield app, client
