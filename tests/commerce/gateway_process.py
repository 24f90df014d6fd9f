"""The payment gateway as its own uvicorn process, exactly as `make up` runs it."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from config import PROJECT_ROOT
from harness.sockets import free_port

GATEWAY_STALL_SECONDS = 1.5
"""How long the stalling test card keeps the gateway busy; longer than the API waits."""


class GatewayDidNotStart(RuntimeError):
    pass


@contextmanager
def running_gateway() -> Iterator[str]:
    """Starts ``python -m ops.payment_gateway`` on a free port; yields its URL."""
    url = f"http://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "SHOP_GATEWAY_URL": url,
        "SHOP_GATEWAY_SLOW_CHARGE_SECONDS": str(GATEWAY_STALL_SECONDS),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "ops.payment_gateway"], env=env, cwd=PROJECT_ROOT
    )
    try:
        _wait_until_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_healthy(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise GatewayDidNotStart(f"payment gateway exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).is_success:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise GatewayDidNotStart(f"payment gateway at {url} did not become healthy")
