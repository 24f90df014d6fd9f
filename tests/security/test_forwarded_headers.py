"""A client cannot choose its rate-limit identity with ``X-Forwarded-For``: the storefront
process (as ``make up`` runs it) believes the header only from configured proxies."""

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from ops.stack.engines.proxy import SOURCE_ADDRESS
from tests.support.processes import running_api

pytestmark = pytest.mark.engines

LIMIT = 3


def statuses(base: str, spoofs: int, source: str = "127.0.0.1") -> list[int]:
    """A request per made-up client address, all from ``source``."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=5) as client:
        return [
            client.get(
                f"{base}/v1/products/no-such-product",
                headers={"X-Forwarded-For": f"198.51.100.{i}", "Connection": "close"},
            ).status_code
            for i in range(spoofs)
        ]


@pytest.fixture
def engines(require_engine: Callable[[str], None]) -> None:
    for engine in ("postgres", "redis", "ferretdb", "elasticsearch"):
        require_engine(engine)


def test_a_spoofed_forwarded_for_changes_nothing(engines: None, tmp_path: Path) -> None:
    with running_api(tmp_path, SHOP_RATE_LIMIT_PER_IP=str(LIMIT)) as url:
        answers = statuses(url, LIMIT + 3)
    # One window for 127.0.0.1 whatever the header says (the start-up probe counted too).
    assert answers == sorted(answers) and answers.count(404) <= LIMIT and answers[-1] == 429


def test_the_stacks_proxy_is_believed(engines: None, tmp_path: Path) -> None:
    """The other side of the same switch: from the TLS edge's own address (which ``make up``
    makes the API trust) each forwarded client has its own window."""
    with running_api(tmp_path, SHOP_RATE_LIMIT_PER_IP=str(LIMIT)) as url:
        assert set(statuses(url, LIMIT + 3, source=SOURCE_ADDRESS)) == {404}
