"""The storefront app served by a real uvicorn server in the test's event loop: for what the
in-process transport cannot show (streaming responses, connection handling)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from fastapi import FastAPI

from api.app import create_app
from config import Settings
from harness.sockets import free_port
from ops.polling import until


@asynccontextmanager
async def live_storefront(
    settings: Settings, lifespan: bool = True
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """``lifespan=False``: without the engines, for what needs none (the docs pages)."""
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on" if lifespan else "off"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await until(started, timeout=30, what="uvicorn serving")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield app, client
    finally:
        server.should_exit = True
        await serving
