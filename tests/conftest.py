"""Fixtures every test package shares: settings and the engine guard (a missing engine fails
the test naming it, never skips it); the storefront in-process on the real engines with its
payment gateway process; promtool, built for the alert rules' tests; Debian's Chromium for the
pages' tests; and the in-memory fakes the agents run on without engines.
"""

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from adapters.connections import Clients, open_clients
from adapters.migrations import apply_migrations
from config import Settings, get_settings
from harness.factories import Shopper, create_shopper, forget_test_products
from harness.inprocess import in_process_api
from ops.promtool import ensure_promtool
from ops.stack.process import EngineError
from ops.stack.provision import apt_install
from ops.stack.services import stream_workers
from ops.stack.stack import components
from services.context import Services
from tests.support.memory import MemoryShop
from tests.support.pipeline import db, mailbox, pipeline  # noqa: F401 - shared fixtures
from tests.support.processes import running_gateway

ENGINE_FIXTURES = {"require_engine", "engines", "pipeline", "promtool", "chromium"}
"""Fixtures of what `make test` provisions: the engines, and tools built like them."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that reaches an engine or a provisioned tool (through any fixture) is marked
    ``engines``, so ``make test-unit`` (``-m "not engines"``) runs exactly the tests that need
    neither: nothing built, nothing downloaded."""
    for item in items:
        if ENGINE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.engines)


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


@pytest.fixture(scope="session")
def promtool(settings: Settings) -> Path:
    """Prometheus' checker, built into the stack directory on first use (minutes; then
    cached). A failed build fails the test with the build's output, never skips it."""
    try:
        return ensure_promtool(settings.stack_dir)
    except (EngineError, OSError) as exc:  # OSError: no `go` on this machine
        pytest.fail(f"promtool could not be built: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def chromium(settings: Settings) -> str:
    """Debian's chromium, installed on first use (idempotent)."""
    apt_install(["chromium"], settings.stack_dir / "chromium" / "apt.log")
    path = shutil.which("chromium")
    assert path, "chromium is not on PATH after apt-get install chromium"
    return path


@pytest.fixture
def fakes(settings: Settings) -> Iterator[Services]:
    """The agents' services on in-memory fakes (``MemoryShop``), wired as the engines are."""
    from streams import wiring  # the Faust app, only for the tests that drive agents

    services = MemoryShop().services(settings)
    wiring.use(services)
    yield services
    wiring.use(None)


@pytest.fixture
def shop(fakes: Services) -> MemoryShop:
    """The in-memory orders, holds, stock, history and notices behind ``fakes``."""
    return fakes.unit_of_work()  # type: ignore[return-value]


GATEWAY_CLIENT_TIMEOUT_SECONDS = 0.5
UNLIMITED = 1_000_000_000
UNHURRIED_SECONDS = 600.0
TEST_REDIS_DB = 15
"""The live stock-sync stream writes ``stock:*`` in the stack's Redis database; the tests use
their own, so the cache values they set on purpose (stale, too high) stay as set."""


@pytest.fixture(scope="session")
def engines(require_engine: Callable[[str], None]) -> None:
    """Fails (never skips) naming the engine that is down; then brings the schema up to date."""
    for engine in ("postgres", "redis", "ferretdb"):
        require_engine(engine)
    apply_migrations(get_settings())


@pytest.fixture(scope="module")
async def running_stack(
    settings: Settings, require_engine: Callable[[str], None]
) -> AsyncIterator[Clients]:
    """The stack's own engines, its running API, gateway and stream workers, for black-box
    tests through its HTTP port (fails naming what is down)."""
    every = ("postgres", "redis", "kafka", "connect", "ferretdb", "elasticsearch", "gateway")
    for engine in (*every, "api", *stream_workers(settings)):
        require_engine(engine)
    async with open_clients(settings, pool_size=4) as clients:
        yield clients


@pytest.fixture(scope="session")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        with running_gateway(tmp_path_factory.mktemp("gateway")) as url:
            yield url
    except EngineError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def app_settings(engines: None, gateway_url: str) -> Settings:
    """Own Redis database, rate limits lifted (runs share client IPs), no shedding (a test
    shares the loop with its client and may send hundreds of requests at once: it checks what
    is answered, not how fast), fast gateway timeouts."""
    stack = get_settings()
    return stack.model_copy(
        update={
            "redis_url": urlsplit(stack.redis_url)._replace(path=f"/{TEST_REDIS_DB}").geturl(),
            "gateway_url": gateway_url,
            "gateway_timeout_seconds": GATEWAY_CLIENT_TIMEOUT_SECONDS,
            "rate_limit_per_ip": UNLIMITED,
            "rate_limit_per_user": UNLIMITED,
            "api_max_queue_seconds": UNHURRIED_SECONDS,
        }
    )


@pytest.fixture(scope="session")
async def served(app_settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with in_process_api(app_settings) as (app, client):
        yield app, client
        await forget_test_products(app.state.services.engines)


@pytest.fixture(scope="session")
def clients(served: tuple[FastAPI, httpx.AsyncClient]) -> Clients:
    return served[0].state.services.engines


@pytest.fixture
def services(served: tuple[FastAPI, httpx.AsyncClient]) -> Services:
    """The storefront's handlers' services on the real engines (``app.state.services``)."""
    return served[0].state.services


@pytest.fixture(scope="session")
def api(served: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return served[1]


@pytest.fixture
async def shopper(clients: Clients) -> Shopper:
    return await create_shopper(clients)


@pytest.fixture
async def other_shopper(clients: Clients) -> Shopper:
    return await create_shopper(clients)
