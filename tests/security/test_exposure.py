"""What the local stack exposes: every process listens on loopback only, and the storefront's
``/metrics`` answers only clients in the allowed networks."""

from collections.abc import Callable

import pytest

from config import Settings
from harness.inprocess import in_process_api
from ops.stack.process import listening_addresses
from ops.stack.stack import components

pytestmark = pytest.mark.engines

LOOPBACK = {"127.0.0.1", "::1"}


def test_every_process_of_the_stack_listens_on_loopback_only(
    settings: Settings, require_engine: Callable[[str], None]
) -> None:
    exposed = {}
    for component in components(settings):
        require_engine(component.name)
        pid = component.pid()
        assert pid, f"{component.name} has no pid"
        outside = {a for a in listening_addresses(pid) if a[0] not in LOOPBACK}
        if outside:
            exposed[component.name] = outside
    assert exposed == {}


async def test_metrics_answer_loopback_and_nobody_else(app_settings: Settings) -> None:
    async with in_process_api(app_settings, client_ip="127.0.0.1") as (_, local):
        assert (await local.get("/metrics")).status_code == 200
    async with in_process_api(app_settings, client_ip="203.0.113.9") as (_, remote):
        response = await remote.get("/metrics")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
