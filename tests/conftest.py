"""Shared fixtures: the settings object and a guard that turns a missing engine into a failure."""

import pytest

from ops.stack.stack import components
from schemas.settings import Settings, get_settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def require_engine(settings: Settings):
    """Fail (never skip) with the engine's name and log when it is not reachable."""
    by_name = {e.name: e for e in components(settings)}

    def check(name: str) -> None:
        engine = by_name[name]
        try:
            engine.probe()
        except Exception as exc:
            pytest.fail(
                f"engine {name} not reachable at {engine.endpoint} ({exc!r}); "
                f"start the stack with `make up` (log: {engine.log})",
                pytrace=False,
            )

    return check
