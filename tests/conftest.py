"""Shared fixtures: the settings object and a guard that turns a missing engine into a failure."""

from collections.abc import Callable

import pytest

from ops.stack.stack import components
from schemas.settings import Settings, get_settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


def engine_guard(settings: Settings) -> Callable[[str], None]:
    """A check that fails the test (never skips it) naming the engine and its log."""
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


@pytest.fixture(scope="session")
def require_engine(settings: Settings) -> Callable[[str], None]:
    return engine_guard(settings)


ENGINE_FIXTURES = {"require_engine", "engines", "pipeline"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that reaches an engine (through any fixture) is marked ``engines``, so
    ``make test-unit`` (``-m "not engines"``) runs exactly the tests that need none."""
    for item in items:
        if ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.engines)
