"""The storefront's ``/metrics`` as ``shopctl up`` runs it: two uvicorn workers, one view.

Requests land on either worker; with the multiprocess directory the stack sets, every scrape
reports the requests of both, per route template, method and status.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.metric_names import HTTP_REQUEST_DURATION
from api.metrics import UNMATCHED, route_template
from tests.support.processes import running_api

pytestmark = pytest.mark.engines

REQUESTS = 24


def request_counts(base: str) -> dict[tuple[str, str, str], float]:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    counts = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == HTTP_REQUEST_DURATION.series()[2]:  # _count
                labels = sample.labels
                counts[(labels["method"], labels["route"], labels["status"])] = sample.value
    return counts


@pytest.fixture
def api_process(tmp_path: Path, require_engine: Callable[[str], None]) -> Iterator[str]:
    for engine in ("postgres", "redis", "ferretdb", "elasticsearch"):
        require_engine(engine)
    with running_api(tmp_path, SHOP_RATE_LIMIT_PER_IP="1000000000") as url:
        yield url


def test_every_scrape_counts_the_requests_of_all_workers(api_process: str) -> None:
    before = request_counts(api_process)
    for _ in range(REQUESTS):  # a new connection each: the kernel spreads them over workers
        assert httpx.get(f"{api_process}/healthz", timeout=5).status_code == 200
    assert httpx.get(f"{api_process}/v1/products/no-such-product", timeout=5).status_code == 404

    for _ in range(4):
        after = request_counts(api_process)
        healthz = ("GET", "/healthz", "200")
        assert after[healthz] - before.get(healthz, 0) == REQUESTS
        assert after[("GET", "/v1/products/{productId}", "404")] >= 1


class Route:
    def __init__(self, path: str) -> None:
        self.path = path


def test_route_template_restores_the_include_prefix() -> None:
    def template(route: str | None, path: str) -> str:
        return route_template({"route": route and Route(route), "path": path})

    assert template("/products/{productId}", "/v1/products/p1") == "/v1/products/{productId}"
    assert template("/v1/products/{productId}", "/v1/products/p1") == "/v1/products/{productId}"
    assert template("/orders/", "/v1/orders/") == "/v1/orders/"
    assert template("/healthz", "/healthz") == "/healthz"
    assert template(None, "/v1/nothing") == UNMATCHED
