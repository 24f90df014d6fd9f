"""One of the processes ``make up`` runs (``ops.stack.services``), started exactly as it
starts them, with settings of its own: for tests that need a real process boundary (several
API workers, a gateway that outlives a request) without touching the stack's own."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from config import Settings, get_settings, secrets_file
from ops.stack.services import SERVICES, AppService


@contextmanager
def running_service(name: str, home: Path, **env: str) -> Iterator[Settings]:
    """Start service ``name`` with ``SHOP_*`` overrides ``env`` (its logs, pid and a copy of
    the stack's secrets under ``home``), wait until it answers; yields its settings."""
    stack_secrets = secrets_file(get_settings().stack_dir)
    if not stack_secrets.exists():
        raise FileNotFoundError(f"{stack_secrets} holds the stack's keys: run `make up`")
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(stack_secrets, secrets_file(home))
    env = {"SHOP_STACK_DIR": str(home), **env}
    fields = {key.removeprefix("SHOP_").lower(): value for key, value in env.items()}
    settings = Settings(_env_file=(".env", secrets_file(home)), **fields)
    spec = next(spec for spec in SERVICES if spec.name == name)
    service = AppService(settings, replace(spec, env=(*spec.env, *env.items())))
    service.start()
    try:
        service.wait_healthy()
        yield settings
    finally:
        service.stop()
