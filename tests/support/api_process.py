"""The storefront as its own process, started exactly as ``make up`` starts it."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from config import Settings, secrets_file
from harness.sockets import free_port
from ops.stack.services import SERVICES, AppService


@contextmanager
def running_api(
    monkeypatch: pytest.MonkeyPatch, home: Path, settings: Settings, **env: str
) -> Iterator[str]:
    """``python -m api`` on a free port with ``SHOP_*`` overrides ``env`` (its logs and pid
    under ``home``); yields its base URL."""
    stack_secrets = secrets_file(settings.stack_dir)
    assert stack_secrets.exists(), "the stack's secrets.env holds the keys: run `make up`"
    shutil.copy(stack_secrets, secrets_file(home))
    port = free_port()
    for name, value in {
        "SHOP_API_PORT": str(port),
        "SHOP_STACK_DIR": str(home),
        **env,
    }.items():
        monkeypatch.setenv(name, value)
    service = AppService(Settings(), next(s for s in SERVICES if s.name == "api"))
    service.start()
    try:
        service.wait_healthy()
        yield f"http://127.0.0.1:{port}"
    finally:
        service.stop()
