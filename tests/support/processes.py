"""The storefront and the payment gateway as processes of their own, started exactly as
``make up`` starts them (``harness.app_process``), on free ports."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.app_process import running_service
from harness.sockets import free_port

GATEWAY_STALL_SECONDS = 1.5
"""How long the stalling test card keeps the gateway busy; longer than the API waits."""


@contextmanager
def running_api(home: Path, **env: str) -> Iterator[str]:
    """``python -m api`` with ``SHOP_*`` overrides ``env``; yields its base URL."""
    with running_service("api", home, SHOP_API_PORT=str(free_port()), **env) as settings:
        yield f"http://127.0.0.1:{settings.api_port}"


@contextmanager
def running_gateway(home: Path) -> Iterator[str]:
    """``python -m ops.payment_gateway``, its stalling card slower than the API waits."""
    url = f"http://127.0.0.1:{free_port()}"
    stall = str(GATEWAY_STALL_SECONDS)
    with running_service(
        "gateway", home, SHOP_GATEWAY_URL=url, SHOP_GATEWAY_SLOW_CHARGE_SECONDS=stall
    ):
        yield url
