"""The interactive API docs render in a browser that reaches nothing but loopback (a machine
without internet), through the TLS edge as a browser meets them: Swagger UI and ReDoc come
from the storefront's own files (``api/docs.py``), which the edge passes through.

The storefront and its edge are the test's own: the app served without its lifespan (the
docs need no engine), the stack's nginx edge (``ops.stack.engines.proxy``) in front of it.
"""

import asyncio
import re
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from config import Settings
from harness.sockets import free_port
from ops.polling import until
from ops.stack.engines.proxy import Proxy
from tests.support.browser import OFFLINE, headless
from tests.support.live_server import live_storefront
from tests.support.secrets import with_app_secrets

RENDERED = {
    # What each UI draws for one operation once it has read the document.
    "/docs": 'id="operations-products-searchProducts"',
    "/redoc": 'id="tag/products/operation/searchProducts"',
}


@pytest.fixture
async def edge(settings: Settings, tmp_path: Path) -> AsyncIterator[str]:
    """The HTTPS base URL of an edge in front of a storefront, both of the test's own."""
    async with live_storefront(with_app_secrets(settings), lifespan=False) as (_, api):
        port = free_port()
        own = settings.model_copy(
            update={
                "stack_dir": tmp_path,
                "proxy_port": port,
                "api_host": api.base_url.host,
                "api_port": api.base_url.port,
            }
        )
        proxy = Proxy(own)
        proxy.start()
        base = f"https://{own.proxy_host}:{port}"
        trusted = ssl.create_default_context(cafile=proxy.tls_dir / "ca.pem")

        async def serving() -> bool:
            async with httpx.AsyncClient(verify=trusted, timeout=3) as client:
                try:
                    return (await client.get(f"{base}/docs")).status_code == 200
                except httpx.TransportError:
                    return False

        try:
            await until(serving, timeout=30, what="the test's edge serving /docs")
            yield base
        finally:
            proxy.stop()


@pytest.mark.parametrize("page", sorted(RENDERED))
async def test_the_docs_render_their_operations_offline(
    chromium: str, edge: str, page: str
) -> None:
    dom = await asyncio.to_thread(
        headless, chromium, *OFFLINE, "--ignore-certificate-errors", "--dump-dom", f"{edge}{page}"
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert RENDERED[page] in dom.stdout, dom.stdout[-3000:]


async def test_the_docs_pages_name_no_other_host(settings: Settings) -> None:
    """Their scripts, styles, favicon and fonts are the app's own, and their policy forbids
    loading anything from elsewhere."""
    app = create_app(with_app_secrets(settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        for page in RENDERED:
            answer = await client.get(page)
            assert answer.status_code == 200
            assert not re.findall(r"(?:https?:)?//[\w.-]+", answer.text), page
            assert "default-src 'self'" in answer.headers["content-security-policy"]
            for asset in re.findall(r'(?:src|href)="([^"]+)"', answer.text):
                assert (await client.get(asset)).status_code == 200, asset
